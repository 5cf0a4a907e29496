package strictyaml

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/diag"
)

// site has a field of each shape herald's own documents use.
type site struct {
	Title   string            `yaml:"title"`
	Days    int               `yaml:"days"`
	Weight  *float64          `yaml:"weight"`
	Enabled bool              `yaml:"enabled"`
	Items   []item            `yaml:"items"`
	Nested  nested            `yaml:"nested"`
	Labels  map[string]string `yaml:"labels"`
	Raw     yaml.Node         `yaml:"raw"`
	Word    word              `yaml:"word"`
	Ignored string            `yaml:"-"`
}

type item struct {
	Name string `yaml:"name"`
	Size int    `yaml:"size"`
}

type nested struct {
	Inner struct {
		N int `yaml:"n"`
	} `yaml:"inner"`
}

// word decodes itself and, like herald's own such types, says what is
// wrong as "line N: …".
type word string

func (w *word) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || strings.ToLower(n.Value) != n.Value {
		return fmt.Errorf("line %d: expected a lowercase word, found %q", n.Line, n.Value)
	}
	*w = word(n.Value)
	return nil
}

func TestDecodePositions(t *testing.T) {
	src := "title: Status\nitems:\n  - name: a\n  - {name: b, size: 2}\nnested:\n  inner:\n    n: 3\nraw: {kind: x, deep: [1, 2]}\n"
	var v site
	doc, err := Decode("f.md", []byte(src), 1, &v)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		line, col int
	}{
		{"title", 2, 8},
		{"items", 4, 3},
		{"items[1]", 5, 5},
		{"items[1].size", 5, 21},
		{"nested.inner.n", 8, 8},
		{"raw.deep[1]", 9, 26},            // inside a yaml.Node field
		{"items[1].colour", 5, 5},         // not set: the nearest enclosing value
		{"missing.deeper", 2, 1},          // nothing enclosing: the start of the document
		{"", 2, 1},                        // the whole document
		{"nested.inner.n.too.deep", 8, 8}, // below a scalar
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			line, col := doc.Pos(tt.path)
			if line != tt.line || col != tt.col {
				t.Errorf("got %d:%d, want %d:%d", line, col, tt.line, tt.col)
			}
		})
	}
	if got, want := doc.Errorf("items[1].size", "too big").Error(), "f.md:5:21: too big"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for path, want := range map[string]bool{"title": true, "items[0].name": true, "items[0].size": false, "raw.kind": true, "days": false} {
		if got := doc.Has(path); got != want {
			t.Errorf("Has(%q): got %v, want %v", path, got, want)
		}
	}
	if v.Title != "Status" || v.Items[1].Size != 2 || v.Nested.Inner.N != 3 || v.Raw.Kind != yaml.MappingNode {
		t.Errorf("got %+v, want every value decoded", v)
	}
}

// TestDecodeErrors pins each message and its place: every file:line:col
// error herald prints about its YAML comes from here.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		shift int
		want  []string // every error, in order
	}{
		{"unknown key with a suggestion", "titel: x\n", 0, []string{
			`f.md:1:1: unknown key "titel" (did you mean "title"?)`}},
		{"unknown key without one", "colour: red\n", 0, []string{
			`f.md:1:1: unknown key "colour" (known keys: days, enabled, items, labels, nested, raw, title, weight, word)`}},
		{"unknown nested key", "nested:\n  innr:\n    n: 1\n", 0, []string{
			`f.md:2:3: unknown key "innr" in nested (did you mean "inner"?)`}},
		{"unknown key in a list item", "items:\n  - name: a\n  - {name: b, sise: 2}\n", 0, []string{
			`f.md:3:15: unknown key "sise" in items[1] (did you mean "size"?)`}},
		{"a key that skips `-` is unknown", "ignored: x\n", 0, []string{
			`f.md:1:1: unknown key "ignored"`}},
		{"shifted into the file", "title: x\ntitel: y\n", 1, []string{
			`f.md:3:1: unknown key "titel" (did you mean "title"?)`}},

		{"duplicate key", "title: a\ndays: 1\ntitle: b\n", 1, []string{
			`f.md:4:1: duplicate key "title", already set on line 2 (keep one of them)`}},
		{"duplicate nested key", "nested:\n  inner: {n: 1, n: 2}\n", 0, []string{
			`f.md:2:17: duplicate key "n" in nested.inner, already set on line 2 (keep one of them)`}},
		{"duplicate map key", "labels:\n  a: x\n  a: y\n", 0, []string{
			`f.md:3:3: duplicate key "a" in labels, already set on line 2 (keep one of them)`}},
		{"key that is a list", "labels:\n  ? [a, b]\n  : x\n", 0, []string{
			"f.md:2:5: a key must be a plain word, found a list in labels (write `key: value`)"}},

		{"text given a list", "title: [a, b]\n", 1, []string{
			`f.md:2:8: title must be text, found a list (put the text in quotes)`}},
		{"text given a mapping", "title:\n  a: b\n", 0, []string{
			`f.md:2:3: title must be text, found a mapping (put the text in quotes)`}},
		{"whole number", "days: many\n", 0, []string{
			`f.md:1:7: days must be a whole number, found "many" (write digits only, such as 30)`}},
		{"number behind a pointer", "weight: heavy\n", 0, []string{
			`f.md:1:9: weight must be a number, found "heavy" (write a number such as 0.5)`}},
		{"true or false", "enabled: maybe\n", 0, []string{
			`f.md:1:10: enabled must be true or false, found "maybe" (write true or false)`}},
		{"list given text", "items: a\n", 0, []string{
			"f.md:1:8: items must be a list, found \"a\" (write one `- item` line per entry, or [a, b])"}},
		{"mapping given text, in a list", "items:\n  - a\n", 0, []string{
			"f.md:2:5: items[0] must be a mapping, found \"a\" (write `key: value` lines, indented under it)"}},
		{"nested value", "nested:\n  inner:\n    n: [1]\n", 0, []string{
			`f.md:3:8: nested.inner.n must be a whole number, found a list (write digits only, such as 30)`}},
		{"map value", "labels: {a: [1]}\n", 0, []string{
			`f.md:1:13: labels.a must be text, found a list (put the text in quotes)`}},
		{"long value is cut", "days: " + strings.Repeat("x", 100) + "\n", 0, []string{
			`f.md:1:7: days must be a whole number, found "` + strings.Repeat("x", 40) + `…"`}},
		{"value that decodes itself", "word: Hello\n", 2, []string{
			`f.md:3:7: expected a lowercase word, found "Hello"`}},
		{"value that decodes itself, on another line", "word:\n  [a]\n", 0, []string{
			`f.md:2:3: expected a lowercase word, found ""`}},

		{"tag the value does not match", "title: x\ndays: 3\nweight: !!timestamp 2026-13-45\n", 1, []string{
			`f.md:4:9: weight: "2026-13-45" is not a valid !!timestamp (remove the !!timestamp tag)`}},
		{"bad base64", "title: !!binary no%base64\n", 0, []string{
			`f.md:1:8: title: "no%base64" is not a valid !!binary (remove the !!binary tag)`}},
		{"tag of the wrong kind", "days: !!str 5\n", 0, []string{
			`f.md:1:7: days must be a whole number, found "5" (remove the !!str tag)`}},

		{"every problem at once", "titel: x\ndays: many\ntitle: [a]\nenabled: maybe\ndays: 2\n", 1, []string{
			`f.md:2:1: unknown key "titel" (did you mean "title"?)`,
			`f.md:3:7: days must be a whole number, found "many" (write digits only, such as 30)`,
			`f.md:4:8: title must be text, found a list (put the text in quotes)`,
			`f.md:5:10: enabled must be true or false, found "maybe" (write true or false)`,
			`f.md:6:1: duplicate key "days", already set on line 3 (keep one of them)`}},

		{"syntax error", "title: a\n  b: c\n", 1, []string{
			`f.md:3:1: invalid YAML: mapping values are not allowed in this context (check indentation and quoting on this line or the one before)`}},
		{"unknown alias", "title: a\nnested:\n  inner: {n: *count}\n", 1, []string{
			`f.md:4:14: invalid YAML: unknown anchor 'count' referenced (define it first with &count on the value to repeat)`}},
		{"not a mapping", "- a\n- b\n", 1, []string{
			"f.md:2:1: expected a mapping of keys to values, found a list (write `key: value` lines)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v site
			_, err := Decode("f.md", []byte(tt.src), tt.shift, &v)
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			for _, bad := range []string{"yaml:", "unmarshal", "!!seq", "!!str `", "strictyaml."} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("got %q, which shows the yaml package's own text %q", err, bad)
				}
			}
			if !errors.As(err, new(diag.List)) && !errors.As(err, new(*diag.Error)) {
				t.Fatalf("got %T, want positioned errors", err)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors:\n%s\nwant %d:\n%s", len(got), err, len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d:\ngot  %s\nwant %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestDecodeKeepsGoing checks that a bad key or value leaves the rest of the
// document decoded, so that the caller can check it in the same run.
func TestDecodeKeepsGoing(t *testing.T) {
	src := "titel: x\ntitle: Kept\ndays: many\nenabled: true\nitems: [{name: a}, b, {name: c}]\nword: Upper\ntitle: Dropped\n"
	var v site
	doc, err := Decode("f.md", []byte(src), 0, &v)
	if err == nil {
		t.Fatal("got no error")
	}
	if doc == nil {
		t.Fatalf("got no Doc with %v, want one for the values that decoded", err)
	}
	if v.Title != "Kept" || !v.Enabled || len(v.Items) != 3 || v.Items[0].Name != "a" || v.Items[2].Name != "c" {
		t.Errorf("got %+v, want the good values decoded, and the first of a duplicate key", v)
	}
	for path, want := range map[string]bool{"title": false, "days": true, "enabled": false, "items": false, "items[1]": true, "word": true} {
		if got := doc.Failed(path); got != want {
			t.Errorf("Failed(%q): got %v, want %v", path, got, want)
		}
	}
	// A value that failed is still where it was.
	if line, col := doc.Pos("days"); line != 3 || col != 7 {
		t.Errorf("got days at %d:%d, want 3:7", line, col)
	}
}

func TestDecodeFatal(t *testing.T) {
	for _, src := range []string{"title: [a\n", "just text\n", "- a\n"} {
		t.Run(src, func(t *testing.T) {
			var v site
			doc, err := Decode("f.md", []byte(src), 0, &v)
			if doc != nil || err == nil {
				t.Errorf("got %v, %v; want no Doc and an error", doc, err)
			}
		})
	}
}

func TestDecodeEmpty(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n"} {
		var v site
		doc, err := Decode("f.md", []byte(src), 1, &v)
		if err != nil || doc == nil {
			t.Fatalf("%q: got %v, %v; want an empty Doc", src, doc, err)
		}
		if doc.Has("title") {
			t.Errorf("%q: got a title", src)
		}
		if line, col := doc.Pos("title"); line != 2 || col != 1 {
			t.Errorf("%q: got %d:%d, want 2:1, the start of the document", src, line, col)
		}
	}
}

// FuzzDecode checks that whatever the text, Decode does not panic, and its
// errors are positioned and never the yaml package's Go-typed wording.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"title: x\ndays: 3\nitems: [{name: a}]\n", "title: [a]\ntitle: b\n", "days: !!timestamp x\n", "word: Hi\nlabels: {a: [1]}\n", "nested: {inner: {n: *a}}\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var v site
		_, err := Decode("f.md", []byte(src), 1, &v)
		if err == nil {
			return
		}
		if !errors.As(err, new(diag.List)) && !errors.As(err, new(*diag.Error)) {
			t.Fatalf("got %T %v, want positioned errors", err, err)
		}
		for _, bad := range []string{"yaml: ", "unmarshal", "strictyaml.", "map[string]"} {
			if strings.Contains(err.Error(), bad) {
				t.Fatalf("%q: got %q, which shows the yaml package's text %q", src, err, bad)
			}
		}
	})
}

// TestDecodeAllocs holds the decoding of a small document to what the
// yaml package and the walk allocate: the keys of a struct's fields were
// mapped anew at every Decode, for each struct: 74 and 135 allocations
// for these before, 69 and 124 after. parseSimple reads the flat one
// without the yaml package's parser (69 -> 24); the nested one is more
// than it reads, and its attempt costs 7 before the yaml package reads it
// (124 -> 131). The leaves in one array and the map of failed values made
// only for a mistake: 21 and 129. Plain texts tagged as strings from
// their form, not resolved by the yaml package: flat 18. The map of
// paths sized at once, and one array for the children of the document
// and of its mapping: 17 and 126. A released Doc lends its nodes, map and
// arrays to the next Decode, as an incident's parse releases its front
// matter's: flat 17 -> 11. The children of a mapping under a key, and the
// words of a list, in one array of the tree's, not each growing its own:
// a mapping of three released 31 -> 28, and the nested one, which
// parseSimple tries before the yaml package reads it, 126 -> 127.
func TestDecodeAllocs(t *testing.T) {
	if raceOn {
		t.Skip("allocation counts mean nothing under the race detector")
	}
	for _, tt := range []struct {
		name    string
		src     string
		release bool
		max     float64
	}{
		{"flat", "title: x\ndays: 3\nenabled: true\n", false, 17},
		{"nested", "title: x\nnested:\n  inner:\n    n: 1\nitems:\n  - name: a\n    size: 1\n", false, 127},
		{"flat released", "title: x\ndays: 3\nenabled: true\n", true, 11},
		{"mapping released", "title: x\nlabels:\n  a: b\n  c: d\n  e: f\n", true, 28},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			got := testing.AllocsPerRun(50, func() {
				var s site
				d, err := Decode("f.yaml", src, 0, &s)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if tt.release {
					d.Release()
				}
			})
			if got > tt.max {
				t.Errorf("got %v allocations, want at most %v", got, tt.max)
			}
		})
	}
}

// TestReleaseKeepsValues decodes documents one after another, each Doc
// released before the next Decode, as incident files are parsed: what
// each decoded, and where its Doc placed its values, stays its own.
func TestReleaseKeepsValues(t *testing.T) {
	for _, tt := range []struct {
		name, first, second string
	}{
		{"flat after flat", "title: first\ndays: 1\n", "title: second one\ndays: 22\nenabled: true\n"},
		{"shorter after longer", "title: a longer first title\nlabels:\n  a: b\n  c: d\n", "title: x\n"},
		{"yaml package after flat", "title: first\n", "title: 'quoted'\ndays: 3\n"},
		{"mistake after flat", "title: first\n", "title: x\ndays: many\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var a, b site
			da, _ := Decode("a.yaml", []byte(tt.first), 0, &a)
			want := a
			wantLine, wantCol := da.Pos("title")
			da.Release()
			db, errB := Decode("b.yaml", []byte(tt.second), 0, &b)
			var fresh site
			_, errFresh := Decode("b.yaml", []byte(tt.second), 0, &fresh)
			if !reflect.DeepEqual(a, want) {
				t.Errorf("first after a second Decode: got %+v, want %+v", a, want)
			}
			if !reflect.DeepEqual(b, fresh) || fmt.Sprint(errB) != fmt.Sprint(errFresh) {
				t.Errorf("second: got %+v, %v, want %+v, %v", b, errB, fresh, errFresh)
			}
			if line, col := db.Pos("title"); line != 1 || col != 8 {
				t.Errorf("second's title at %d:%d, want 1:8", line, col)
			}
			if wantLine != 1 || wantCol != 8 {
				t.Errorf("first's title at %d:%d, want 1:8", wantLine, wantCol)
			}
			db.Release()
		})
	}
}
