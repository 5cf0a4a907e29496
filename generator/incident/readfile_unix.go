//go:build unix && !linux

package incident

import (
	"os"
	"syscall"
)

// readFile opens p and, if the open file is regular and no bigger than
// limit, reads it up to limit+1 bytes; id is what its Stat found. As on
// Linux, it never follows a symlink at p nor blocks: the walk found a
// regular file there, and a file swapped since for a symlink fails to
// open (O_NOFOLLOW), one swapped for a named pipe opens at once
// (O_NONBLOCK) and is refused as errNotRegular.
func readFile(p string, limit int) (id fileID, data []byte, err error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return fileID{}, nil, err
	}
	defer f.Close()
	return readOpened(f, limit)
}
