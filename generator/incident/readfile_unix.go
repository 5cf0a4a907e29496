//go:build unix

package incident

import "syscall"

// readFile reads the file p, which a Stat found regular and of size bytes,
// up to limit+1 bytes. It makes the system calls itself: os.ReadFile would
// stat the file again, make it non-blocking and offer it to the network
// poller, which refuses regular files, six calls more per incident file.
// O_NONBLOCK keeps a file swapped for a FIFO since the Stat from blocking
// the scan: its read fails at once.
func readFile(p string, size int64, limit int) ([]byte, error) {
	fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	// One byte more than the size sees the end of the file in one read.
	data := make([]byte, 0, min(int(size), limit)+1)
	for len(data) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew since its Stat
		}
		n, err := syscall.Read(fd, data[len(data):min(cap(data), limit+1)])
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return nil, err
		case n == 0:
			return data, nil
		default:
			data = data[:len(data)+n]
		}
	}
	return data, nil
}
