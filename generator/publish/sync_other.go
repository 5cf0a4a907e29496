//go:build !linux

package publish

import (
	"io/fs"
	"path/filepath"
)

// syncTree fsyncs every regular file and directory under root.
func syncTree(root string) error {
	var paths []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Type().IsRegular() {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fsyncAll(paths)
}
