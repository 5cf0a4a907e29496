//go:build !unix

package incident

import "os"

// readFile opens p and, if the open file is regular and no bigger than
// limit, reads it up to limit+1 bytes; id is what its Stat found. Unlike
// the Unix ones, it follows a symlink at p: a file swapped for one
// between the walk and the read is read through it.
func readFile(p string, limit int) (id fileID, data []byte, err error) {
	f, err := os.Open(p)
	if err != nil {
		return fileID{}, nil, err
	}
	defer f.Close()
	return readOpened(f, limit)
}
