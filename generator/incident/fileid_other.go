//go:build !linux

package incident

import "io/fs"

func idOf(info fs.FileInfo) fileID {
	return fileID{size: info.Size(), mtime: info.ModTime().UnixNano()}
}
