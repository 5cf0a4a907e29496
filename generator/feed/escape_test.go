package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/internal/jsontext"
	"github.com/herald-status/herald/generator/sitetest"
)

var escapeSeeds = []string{"", "plain", hostile, "]]>", "]]]>>", "a]]>b]]>", "\xff\xfe", "\xed\xa0\x80", "\ufffe\uffff\ufffd", "\u2028\u2029", "\x00\x1f\x7f", "<p class=\"x\">'&'</p>\n\t\r"}

// FuzzXMLText holds appendXMLText to xml.EscapeText.
func FuzzXMLText(f *testing.F) {
	for _, s := range escapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendXMLText([]byte("x"), s); !bytes.Equal(got[1:], want.Bytes()) {
			t.Errorf("%q: got %q, want %q", s, got[1:], want.Bytes())
		}
	})
}

// FuzzCDATA holds appendCDATA to how encoding/xml writes a ",cdata"
// field.
func FuzzCDATA(f *testing.F) {
	for _, s := range escapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		type content struct {
			XMLName xml.Name `xml:"c"`
			Text    string   `xml:",cdata"`
		}
		want, err := xml.Marshal(content{Text: s})
		if err != nil {
			t.Fatal(err)
		}
		got := append(appendCDATA([]byte("<c>"), s), "</c>"...)
		if !bytes.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	})
}

func TestJSONTime(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
	}{
		{"utc", time.Date(2026, 3, 9, 14, 5, 0, 0, time.UTC)},
		{"fraction", time.Date(2026, 3, 9, 14, 5, 0, 120_000_000, time.UTC)},
		{"zone", time.Date(2026, 3, 9, 14, 5, 0, 1, time.FixedZone("X", 3600+1800))},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := json.Marshal(tt.t)
			got, err := appendJSONTime(nil, tt.t)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("got error %v, want %v", err, wantErr)
			}
			if err == nil && !bytes.Equal(got, want) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

// BenchmarkEscape escapes the example site's item contents, the bulk of
// every feed, as each format writes them.
func BenchmarkEscape(b *testing.B) {
	snap := sitetest.Example(b, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
	var contents []string
	size := 0
	for _, in := range snap.Incidents {
		contents = append(contents, itemContent(snap, in))
		size += len(contents[len(contents)-1])
	}
	for _, bc := range []struct {
		name   string
		escape func([]byte, string) []byte
	}{
		{"xml", appendXMLText},
		{"cdata", appendCDATA},
		{"json", jsontext.AppendString},
	} {
		b.Run(bc.name, func(b *testing.B) {
			buf := make([]byte, 0, 4*size)
			b.SetBytes(int64(size))
			for b.Loop() {
				buf = buf[:0]
				for _, c := range contents {
					buf = bc.escape(buf, c)
				}
			}
		})
	}
}
