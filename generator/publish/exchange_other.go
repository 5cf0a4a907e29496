//go:build !linux

package publish

import "golang.org/x/sys/unix"

// exchange reports ENOSYS so that migration takes the two-rename fallback:
// renameat2 is Linux-only.
func exchange(a, b string) error {
	return unix.ENOSYS
}
