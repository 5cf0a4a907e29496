//go:build !unix

package incident

import (
	"io"
	"os"
)

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
	info, err := f.Stat()
	if err != nil {
		return fileID{}, nil, err
	}
	if !info.Mode().IsRegular() {
		return fileID{}, nil, errNotRegular
	}
	id = idOf(info)
	if id.size > int64(limit) {
		return id, nil, nil
	}
	data, err = io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return fileID{}, nil, err
	}
	return id, data, nil
}
