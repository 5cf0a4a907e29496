package incident

import (
	"strings"
	"testing"
)

// BenchmarkReplaceControl scans a clean update body, the common case.
func BenchmarkReplaceControl(b *testing.B) {
	s := strings.Repeat("<p>We are investigating reports that <code>api</code> requests fail.</p>\n", 30)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ReplaceControl(s)
	}
}
