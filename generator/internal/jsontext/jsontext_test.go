package jsontext

import (
	"bytes"
	"encoding/json"
	"testing"
)

var seeds = []string{"", "plain", "<script>alert(1)</script> & \"q\" \\", "\xff\xfe", "\xed\xa0\x80", "\ufffe\uffff\ufffd", "\u2028\u2029", "\x00\x1f\x7f", "<p class=\"x\">'&'</p>\n\t\r\b\f", "ü漢字🙂 \u200f"}

// FuzzString holds AppendString to json.Marshal.
func FuzzString(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString([]byte("x"), s); !bytes.Equal(got[1:], want) {
			t.Errorf("%q: got %q, want %q", s, got[1:], want)
		}
	})
}
