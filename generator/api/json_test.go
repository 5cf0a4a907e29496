package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
)

// TestWriteJSON holds writeJSON to json.Encoder with SetIndent("", "  "),
// byte for byte, into a buffer and into a writer that is none, on
// awkward values: HTML characters, U+2028, empty and nested documents.
func TestWriteJSON(t *testing.T) {
	type doc struct {
		Name  string            `json:"name"`
		Tags  []string          `json:"tags"`
		Attrs map[string]string `json:"attrs,omitempty"`
		Next  *doc              `json:"next"`
		N     float64           `json:"n"`
	}
	tests := []struct {
		name string
		v    any
	}{
		{"html", doc{Name: `<script>alert("x")</script> & 'q'`, Tags: []string{"a\u2028b", "\x00"}}},
		{"nested", doc{Name: "a", Next: &doc{Name: "b", Attrs: map[string]string{"z": "1", "a": "2"}, N: 1e21}}},
		{"empty", []doc{}},
		{"null", nil},
		{"number", 3.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			e := json.NewEncoder(&want)
			e.SetIndent("", "  ")
			if err := e.Encode(tt.v); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.WriteString("before")
			if err := writeJSON(&buf, "x.json", tt.v); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != "before"+want.String() {
				t.Errorf("into a buffer: got\n%s\nwant\n%s", got, "before"+want.String())
			}
			var sb strings.Builder
			if err := writeJSON(&sb, "x.json", tt.v); err != nil {
				t.Fatal(err)
			}
			if got := sb.String(); got != want.String() {
				t.Errorf("into a builder: got\n%s\nwant\n%s", got, want.String())
			}
		})
	}
}

// TestWriteJSONMemory: a large document written into a page's buffer
// with room for it allocates a small part of its length; indented by
// json.Encoder into a buffer of its own, grown from nothing, it
// allocated five times its length (5.23 bytes a byte).
func TestWriteJSONMemory(t *testing.T) {
	memtest.SkipUnderRace(t)
	type entry struct {
		ID, Name, Body string
	}
	var v []entry
	for i := range 2000 {
		v = append(v, entry{ID: strconv.Itoa(i), Name: "incident " + strconv.Itoa(i), Body: strings.Repeat("words ", 40)})
	}
	var b bytes.Buffer
	if err := writeJSON(&b, "x.json", v); err != nil {
		t.Fatal(err)
	}
	n := b.Len()
	b.Grow(2 * n)
	var err error
	least := memtest.LeastBytes(5, func() {
		b.Reset()
		err = errors.Join(err, writeJSON(&b, "x.json", v))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(least) / float64(n); got > 0.25 {
		t.Errorf("got %.2f bytes allocated a byte of a document of %d bytes, want at most 0.25", got, n)
	}
}
