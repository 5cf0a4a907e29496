//go:build linux

package incident

import "syscall"

// readFile opens p and, if the open file is regular and no bigger than
// limit, reads it up to limit+1 bytes; id is what fstat(2) found of it.
// It never follows a symlink at p nor blocks: the walk found a regular
// file there, and a file swapped since for a symlink fails to open,
// one swapped for a named pipe opens at once and is refused as
// errNotRegular. It makes the system calls itself: os.ReadFile would
// stat the file again, make it non-blocking and offer it to the network
// poller, which refuses regular files, six calls more per incident file.
func readFile(p string, limit int) (id fileID, data []byte, err error) {
	const flags = syscall.O_RDONLY | syscall.O_CLOEXEC | syscall.O_NONBLOCK | syscall.O_NOCTTY | syscall.O_NOFOLLOW
	fd, err := syscall.Open(p, flags, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(p, flags, 0)
	}
	if err != nil {
		return fileID{}, nil, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fileID{}, nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileID{}, nil, errNotRegular
	}
	id = statID(&st)
	if id.size > int64(limit) {
		return id, nil, nil
	}
	// One byte more than the size sees whether the file grew since.
	data = make([]byte, 0, id.size+1)
	for len(data) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew since its fstat
		}
		n, err := syscall.Read(fd, data[len(data):min(cap(data), limit+1)])
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return fileID{}, nil, err
		case n == 0:
			return id, data, nil
		default:
			data = data[:len(data)+n]
			// A read that stops short where fstat put the end has the
			// file as it stood then, as id says: one more read to see
			// the end, one of the five system calls a file cost, would
			// only tell of a write since, which a later scan sees by
			// its id.
			if len(data) == int(id.size) {
				return id, data, nil
			}
		}
	}
	return id, data, nil
}
