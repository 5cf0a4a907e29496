package strictyaml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var simpleCases = []struct {
	name, src string
	ok        bool // parseSimple reads it, rather than the yaml package
}{
	{"incident", "title: Api elevated errors\ncomponents:\n  api: degraded\n  cdn: major outage\nstarted: 2024-03-01T10:04:00Z\n", true},
	{"listed", "title: Storage work\ntype: maintenance\ncomponents: [api, cdn]\nscheduled_start: 2024-03-01 10:00\n", true},
	{"empty list", "title: x\ncomponents: []\n", true},
	{"list with spaces", "components: [ api ,cdn ]  \n", true},
	{"values of every kind", "a: true\nb: 12\nc: 1.5\nd: null\ne: ~\nf: 2024-01-02\ng: .inf\nh: 0x1F\ni: NO\n", true},
	{"times", "a: 2024-01-02 10:04:05\nb: 2024-01-02 10:04\nc: 2024-01-02T10:04:05Z\nd: 2024-01-02 10:04:05.5\n", true},
	{"non-ASCII title", "title: Störung — 障害 behoben\n", true},
	{"spaces around", "title:    padded   \n\n\nimpact: minor\n", true},
	{"colon inside", "title: at 10:04 UTC\n", true},
	{"several spaces indent", "components:\n    api: degraded\ndraft: false\n", true},
	{"quoted", "title: \"quoted\"\n", false},
	{"comment", "title: x # note\n", false},
	{"colon space", "title: a: b\n", false},
	{"tab", "title:\tx\n", false},
	{"empty value", "title:\n", false},
	{"no final line break", "title: x", false},
	{"block list", "components:\n  - api\n", false},
	{"uneven indent", "components:\n  api: degraded\n   cdn: major\n", false},
	{"nested list", "components:\n  api: [a]\n", false},
	{"blank line inside", "components:\n  api: degraded\n\n  cdn: major\n", false},
	{"anchor", "title: &a x\n", false},
	{"line separator", "title: a\u2028b\n", false},
	{"next line", "title: a\u0085b\n", false},
	{"byte order mark", "title: a\ufeffb\n", false},
	{"invalid UTF-8", "title: a\xffb\n", false},
	{"empty", "", false},
	{"list not closed", "components: [api, cdn\n", false},
	{"list after list", "components: [api] x\n", false},
	{"empty item", "components: [api, , cdn]\n", false},
	{"trailing comma", "components: [api,]\n", false},
	{"dash", "title: - x\n", false},
	{"long key", strings.Repeat("k", 1100) + ": x\n", false},
	{"carriage return", "title: x\r\n", false},
}

// TestParseSimple checks which documents parseSimple reads, and that
// what it reads is the tree yaml.Unmarshal builds, to the last field.
func TestParseSimple(t *testing.T) {
	for _, tt := range simpleCases {
		t.Run(tt.name, func(t *testing.T) {
			if ok := checkParseSimple(t, tt.src); ok != tt.ok {
				t.Errorf("parseSimple(%q): got ok %v, want %v", tt.src, ok, tt.ok)
			}
		})
	}
}

func FuzzParseSimple(f *testing.F) {
	for _, tt := range simpleCases {
		f.Add(tt.src)
	}
	f.Fuzz(func(t *testing.T, src string) { checkParseSimple(t, src) })
}

func checkParseSimple(t *testing.T, src string) bool {
	t.Helper()
	got, ok := new(tree).parseSimple([]byte(src))
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(src), &want); err != nil {
		t.Errorf("parseSimple(%q) read what yaml.Unmarshal refuses: %v", src, err)
		return true
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseSimple(%q):\ngot  %s\nwant %s", src, dump(&got), dump(&want))
	}
	return true
}

// dump shows a tree a node a line, with the fields DeepEqual compares.
func dump(n *yaml.Node) string {
	c := *n
	c.Content = nil
	s := fmt.Sprintf("\n%+v", c)
	for _, k := range n.Content {
		s += dump(k)
	}
	return s
}

// TestPlainTag holds plainTag to the tag the yaml package resolves each
// plain scalar to, for texts on both sides of each of its shortcuts.
func TestPlainTag(t *testing.T) {
	for _, v := range []string{
		"API errors", "api", "degraded", "minor", "Störung",
		"true", "True", "TRUE", "false", "FALSE", "Falsey", "yes", "no", "off", "on", "y", "n",
		"null", "Null", "NULL", "nullable", "~", "~x", "<<", "<<x", "title", "type", "types",
		"2026-10-27 06:10", "2026-10-27 06:10:00", "2026-10-27 6:1:5.25", "2026-10-27", "2026-1-2",
		"2026-10-27T06:10:00Z", "2026-10-27t06:10:00+02:00", "2026-10-27T06:10", "2026-10-27 06:10 UTC",
		"12", "-12", "+12", "1_000", "0x1F", "0o17", "0b101", "-0b101", "1.5", "-1.5e3", ".5", ".inf", "-.inf", "+.INF", ".nan",
		"1 2", "1:2", "1:2:3", "10:04 UTC", "+ 1", "- x", ". x", "99 problems",
	} {
		t.Run(v, func(t *testing.T) {
			n := yaml.Node{Kind: yaml.ScalarNode, Value: v}
			if got, want := plainTag(v), n.ShortTag(); got != want {
				t.Errorf("plainTag(%q): got %s, want %s", v, got, want)
			}
		})
	}
}

// TestParseSimpleAllocs holds the tree of an incident's front matter to
// its few arrays: the yaml package resolved its dates, with six failed
// parses each, and boxed its every text (49 -> 6 allocations); the
// document's child had an array of its own (5).
func TestParseSimpleAllocs(t *testing.T) {
	src := []byte("title: Slow package downloads in Europe\ncomponents: [cdn]\nimpact: minor\nstarted: 2026-10-27 06:10\nresolved: 2026-10-27 09:05\n")
	got := testing.AllocsPerRun(50, func() {
		if _, ok := new(tree).parseSimple(src); !ok {
			t.Fatal("parseSimple refused it")
		}
	})
	if want := 5.0; got > want {
		t.Errorf("got %v allocations, want at most %v", got, want)
	}
}
