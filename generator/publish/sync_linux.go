package publish

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree makes everything written under root durable. syncfs(2) flushes
// the whole file system root lives on in one call, which for a site of
// thousands of files is far cheaper than opening and fsyncing each file
// and folder (the profile of a 5,000-incident build showed 14% of its CPU
// in per-file fsync).
func syncTree(root string) error {
	f, err := os.Open(root)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
