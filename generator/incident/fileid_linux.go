package incident

import (
	"io/fs"
	"syscall"
)

func idOf(info fs.FileInfo) fileID {
	id := fileID{size: info.Size(), mtime: info.ModTime().UnixNano()}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
		id.ctime = st.Ctim.Nano()
	}
	return id
}
