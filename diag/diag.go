// Package diag carries user-facing errors that name their place in a file.
//
// Every mistake a site author can make in herald.yaml or an incident file is
// reported as an *Error with a file, a line and a column, printed the way
// compilers print them: "file:line:col: what is wrong (what to do)". A List
// collects every such error of one run, so that one `herald check` reports
// every bad file instead of stopping at the first.
package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem at one place in one file.
type Error struct {
	File string // path as the user knows it, relative to the site folder where possible
	Line int    // 1-based; 1 for whole-file problems
	Col  int    // 1-based; 1 for whole-line problems
	Msg  string // what is wrong, lowercase, no trailing period
	Fix  string // what to do about it; may be empty
	Err  error  // underlying cause, if any
}

// Errorf returns an *Error at file:line:col.
func Errorf(file string, line, col int, format string, args ...any) *Error {
	return &Error{File: file, Line: max(line, 1), Col: max(col, 1), Msg: fmt.Sprintf(format, args...)}
}

// WithFix sets the suggestion printed after the message and returns e.
func (e *Error) WithFix(format string, args ...any) *Error {
	e.Fix = fmt.Sprintf(format, args...)
	return e
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	if e.Fix != "" {
		fmt.Fprintf(&b, " (%s)", e.Fix)
	}
	return strings.Map(printable, b.String())
}

// printable keeps a control character that a message quotes from a file
// (an ESC in a heading, a line feed in a file name) from reaching the
// terminal, where it could move the cursor, recolour or hide the rest, or
// split one error into two lines: it becomes U+FFFD.
func printable(r rune) rune {
	if r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 {
		return '\uFFFD'
	}
	return r
}

func (e *Error) Unwrap() error { return e.Err }

// List is every problem found in one run, in file then line order once
// sorted. The zero value is ready to use.
type List []*Error

// Add appends errors; a nil error is ignored, a List is flattened, and any
// other error is recorded against file at 1:1.
func (l *List) Add(file string, err error) {
	if err == nil {
		return
	}
	var list List
	if errors.As(err, &list) {
		*l = append(*l, list...)
		return
	}
	var e *Error
	if errors.As(err, &e) {
		*l = append(*l, e)
		return
	}
	*l = append(*l, &Error{File: file, Line: 1, Col: 1, Msg: err.Error(), Err: err})
}

// Err returns the list, sorted, as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Sort orders the list by file, line and column so output is deterministic
// even when files were checked concurrently.
func (l List) Sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Closest returns the candidate nearest to word by edit distance, for a
// "did you mean" hint, or "" when none is near enough to be a typo.
func Closest(word string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := distance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
