package incident

import (
	"io/fs"
	"syscall"
)

func idOf(info fs.FileInfo) fileID {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return statID(st)
	}
	return fileID{size: info.Size(), mtime: info.ModTime().UnixNano()}
}

func statID(st *syscall.Stat_t) fileID {
	return fileID{size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), dev: uint64(st.Dev), ino: st.Ino}
}
