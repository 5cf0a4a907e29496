//go:build !unix

package incident

import (
	"io"
	"os"
)

// readFile reads the file p up to limit+1 bytes; size is what a Stat
// found, the readFile of other systems' hint.
func readFile(p string, _ int64, limit int) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(limit)+1))
}
