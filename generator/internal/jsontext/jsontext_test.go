package jsontext

import (
	"bytes"
	"encoding/json"
	"strings"
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

// indentSeeds are compact JSON documents with the corners of indenting:
// empty and nested containers, quotes and backslashes at a string's end,
// punctuation inside strings, numbers of every form, deep nesting.
var indentSeeds = []string{
	`{}`, `[]`, `null`, `0`, `-1.5e-7`, `"x"`, `true`,
	`{"a":[],"b":{},"c":[{}],"d":[[],[[]]]}`,
	`{"q":"a\"b","s":"a\\","t":"\\\"","u":"\\\\"}`,
	`["{[,:]}","\u003cp class=\"x\"\u003e","",1e+21,false,null]`,
	`{"a":{"b":{"c":{"d":{"e":[1,2,{"f":null}]}}}}}` + "\n",
	strings.Repeat("[", 40) + strings.Repeat("]", 40),
	strings.Repeat(`{"k":`, 40) + "1" + strings.Repeat("}", 40),
}

// FuzzIndent holds AppendIndent to json.Indent on JSON as encoding/json
// writes it: the fuzzer's bytes, where they are JSON, compacted by
// json.Marshal, with and without an Encoder's trailing newline.
func FuzzIndent(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		// Marshal sorts an object's keys, and json.Compact keeps their
		// order and numbers as they were: indent both forms.
		var kept bytes.Buffer
		if err := json.Compact(&kept, in); err != nil {
			t.Fatal(err)
		}
		for _, src := range [][]byte{compact, kept.Bytes(), append(bytes.Clone(compact), '\n')} {
			var want bytes.Buffer
			want.WriteString("x")
			if err := json.Indent(&want, src, "", "  "); err != nil {
				t.Fatal(err)
			}
			if got := AppendIndent([]byte("x"), src); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s: got\n%s\nwant\n%s", src, got, want.Bytes())
			}
		}
	})
}

// BenchmarkIndent is AppendIndent beside json.Indent on a document like
// the API's incidents: objects of short fields and a long HTML body.
func BenchmarkIndent(b *testing.B) {
	type entry struct {
		ID, Name, Status, Body string
		Components             []string
		Impact                 int
	}
	var v []entry
	for i := range 2000 {
		v = append(v, entry{ID: "abc" + strings.Repeat("x", i%9), Name: "Checkout failures", Status: "resolved",
			Body: `<p>We are <a href="https://example.com/x">investigating</a> errors & "timeouts".</p>`, Components: []string{"api", "web"}, Impact: i % 4})
	}
	src, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AppendIndent", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		var dst []byte
		for b.Loop() {
			dst = AppendIndent(dst[:0], src)
		}
	})
	b.Run("json.Indent", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		var dst bytes.Buffer
		for b.Loop() {
			dst.Reset()
			if err := json.Indent(&dst, src, "", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
