package diag

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestErrorf(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"position and message", Errorf("incidents/a.md", 3, 10, "unknown impact %q", "huge"), `incidents/a.md:3:10: unknown impact "huge"`},
		{"with fix", Errorf("herald.yaml", 7, 3, "missing title").WithFix("add `%s`", "title: Example Status"), "herald.yaml:7:3: missing title (add `title: Example Status`)"},
		{"empty fix prints nothing", Errorf("f.md", 2, 1, "x").WithFix(""), "f.md:2:1: x"},
		// A whole-file problem has no line; 0 would read as a bug in herald.
		{"line and column at least 1", Errorf("f.md", 0, -4, "no front matter"), "f.md:1:1: no front matter"},
		{"verbs are not interpreted twice", Errorf("f.md", 1, 1, "%s", "100%d"), "f.md:1:1: 100%d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	e := Errorf("f.md", 1, 1, "read file")
	e.Err = fs.ErrPermission
	if !errors.Is(e, fs.ErrPermission) {
		t.Errorf("got errors.Is(%v, fs.ErrPermission) false, want true", e)
	}
	var got *Error
	if !errors.As(fmt.Errorf("load: %w", e), &got) || got != e {
		t.Errorf("got %v from a wrapped error, want the *Error itself", got)
	}
}

func TestListAdd(t *testing.T) {
	a := Errorf("a.md", 2, 1, "first")
	b := Errorf("b.md", 4, 2, "second")
	tests := []struct {
		name string
		add  []error
		want []string
	}{
		{"nil is ignored", []error{nil}, nil},
		{"positioned error kept as it is", []error{a}, []string{"a.md:2:1: first"}},
		{"wrapped positioned error keeps its place", []error{fmt.Errorf("parse: %w", a)}, []string{"a.md:2:1: first"}},
		{"list is flattened", []error{List{a, b}}, []string{"a.md:2:1: first", "b.md:4:2: second"}},
		{"plain error goes to 1:1 of the file", []error{errors.New("read failed")}, []string{"x.md:1:1: read failed"}},
		{"in order of adding", []error{b, nil, a}, []string{"b.md:4:2: second", "a.md:2:1: first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l List
			for _, err := range tt.add {
				l.Add("x.md", err)
			}
			if len(l) != len(tt.want) {
				t.Fatalf("got %d errors %v, want %d", len(l), l, len(tt.want))
			}
			for i, w := range tt.want {
				if got := l[i].Error(); got != w {
					t.Errorf("error %d: got %q, want %q", i, got, w)
				}
			}
		})
	}
}

func TestListAddPlainErrorUnwraps(t *testing.T) {
	var l List
	l.Add("x.md", fmt.Errorf("open: %w", fs.ErrNotExist))
	if !errors.Is(l[0], fs.ErrNotExist) {
		t.Errorf("got %v, want it to wrap fs.ErrNotExist", l[0])
	}
}

func TestListErr(t *testing.T) {
	var empty List
	if err := empty.Err(); err != nil {
		t.Errorf("got %v from an empty list, want nil", err)
	}
	l := List{
		Errorf("b.md", 1, 1, "b1"),
		Errorf("a.md", 10, 1, "a10"),
		Errorf("a.md", 2, 7, "a2:7 first"),
		Errorf("a.md", 2, 3, "a2:3"),
		Errorf("a.md", 2, 7, "a2:7 second"),
	}
	err := l.Err()
	// By file, then line, then column, numerically ("10" after "2"); equal
	// places keep the order they were found in.
	want := "a.md:2:3: a2:3\na.md:2:7: a2:7 first\na.md:2:7: a2:7 second\na.md:10:1: a10\nb.md:1:1: b1"
	if got := err.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	var list List
	if !errors.As(err, &list) || len(list) != 5 {
		t.Errorf("got %T with %d errors, want a List of 5", err, len(list))
	}
}

func TestSortKeepsTheOrderOfEqualPlaces(t *testing.T) {
	// Enough errors that the sort cannot fall back to an insertion sort,
	// which is stable by chance.
	var l List
	for i := range 40 {
		l = append(l, Errorf([]string{"b.md", "a.md"}[i%2], 1+i%3, 1, "%02d", i))
	}
	l.Sort()
	for i := 1; i < len(l); i++ {
		prev, cur := l[i-1], l[i]
		if prev.File == cur.File && prev.Line == cur.Line && prev.Msg > cur.Msg {
			t.Fatalf("got %q before %q, want the order they were found in", prev, cur)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"components", "impact", "resolved", "scheduled_end", "scheduled_start", "started", "title", "type"}
	tests := []struct {
		word, want string
	}{
		{"resloved", "resolved"},    // two letters swapped
		{"componets", "components"}, // one left out
		{"titel", "title"},
		{"Title", "title"},
		{"scheduled_ends", "scheduled_end"},
		{"started", "started"},
		{"colour", ""},    // nothing near: no guess
		{"impactful", ""}, // three edits from "impact": another word, not a typo
		{"", ""},          // four letters from the nearest, "type"
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.word), func(t *testing.T) {
			if got := Closest(tt.word, known); got != tt.want {
				t.Errorf("Closest(%q): got %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestClosestPrefersTheFirstOfEqualCandidates(t *testing.T) {
	// Both are one edit away; the caller's order decides, so messages are
	// the same on every run.
	if got, want := Closest("cat", []string{"bat", "cot"}), "bat"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestErrorHidesControlCharacters: text quoted from a hostile file cannot
// send escape sequences to the terminal or split an error over two lines.
func TestErrorHidesControlCharacters(t *testing.T) {
	e := Errorf("incidents/a\nb.md", 2, 3, "bad heading %s", "\x1b[2J\x1b[31mred\u009b").WithFix("fix\rit")
	want := "incidents/a\uFFFDb.md:2:3: bad heading \uFFFD[2J\uFFFD[31mred\uFFFD (fix\uFFFDit)"
	if got := e.Error(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
