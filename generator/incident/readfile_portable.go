//go:build !linux

package incident

import (
	"io"
	"os"
)

// readOpened is readFile's read of f, once opened: nothing but
// errNotRegular unless f is a regular file, nothing read if it is over
// limit, else up to limit+1 bytes.
func readOpened(f *os.File, limit int) (id fileID, data []byte, err error) {
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
