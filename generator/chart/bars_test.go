package chart

import (
	"strings"
	"testing"

	"github.com/herald-status/herald/i18n"
)

// TestWriteBars: bars written among a page's text are Bars', in either
// direction of writing.
func TestWriteBars(t *testing.T) {
	const head = "<h2>API</h2>\n"
	days := sampleDays(t)
	for _, tag := range []string{"en", "de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			l := i18n.For(tag)
			var b strings.Builder
			b.WriteString(head)
			WriteBars(&b, 64, l, days, link, nil, Name("API <b>"))
			if got, want := b.String(), head+string(Bars(l, days, link, nil, Name("API <b>"))); got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
