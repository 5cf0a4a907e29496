package incident

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/diag"
)

// header is the front matter every body below is put under; the body
// starts on line 5.
const header = "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n"

// fill repeats unit to make a body of about size bytes.
func fill(unit string, size int) string { return strings.Repeat(unit, size/len(unit)) }

// lines makes a body of at most size bytes from line(0), line(1), …
func lines(size int, line func(i int) string) string {
	var b strings.Builder
	for i := 0; ; i++ {
		l := line(i)
		if b.Len()+len(l) > size {
			return b.String()
		}
		b.WriteString(l)
	}
}

// bodySize keeps a generated file just under MaxFileSize.
const bodySize = MaxFileSize - len(header) - 64

// TestMarkdownLimits feeds the parser bodies that took goldmark minutes
// (a megabyte of `[a](b` took 205 s in herald check) and checks that each
// is refused with an error at the line that passes a limit, long before
// the generous ceiling.
func TestMarkdownLimits(t *testing.T) {
	const ceiling = 30 * time.Second
	nested := maxNesting*2 + 1 // the column of the marker one level too deep, for "> " or "- "
	tests := []struct {
		name string
		body string
		want string // the error, from its position on
	}{
		{"unclosed links", fill("[a](b", bodySize), fmt.Sprintf("5:%d: more than %d Markdown markers", maxMarks/2*5+1, maxMarks)},
		{"unclosed links in angle brackets", fill("[a](<b ", bodySize), fmt.Sprintf("5:%d: more than %d Markdown markers", maxMarks/3*7+3, maxMarks)},
		// Each line may be a link reference definition.
		{"unclosed link titles", fill("[a](b (\n", bodySize), fmt.Sprintf("%d:1: more than %d Markdown markers", 5+maxMarks, maxMarks)},
		{"nested brackets", strings.Repeat("[", bodySize/2) + "a" + strings.Repeat("]", bodySize/2), fmt.Sprintf("5:%d: more than", maxMarks+1)},
		{"nested emphasis", fill("*a **a ", bodySize), "5:"},
		{"mismatched emphasis", fill("*a_ ", bodySize), fmt.Sprintf("5:%d: more than", maxMarks/2*4+1)},
		{"mismatched emphasis on lines", fill("*a_\n", bodySize), fmt.Sprintf("%d:1: more than", 5+maxMarks/2)},
		{"strikethrough", fill("~~a ", bodySize), "5:"},
		{"angle brackets", fill("<a ", bodySize), fmt.Sprintf("5:%d: more than", maxMarks*3+1)},
		{"unclosed comments", "</" + fill("<!--", bodySize), "5:"},
		{"backticks", lines(bodySize, func(i int) string { return "e" + strings.Repeat("`", i+1) }), "5:"},
		{"in a heading", "### " + fill("[a](b", bodySize), fmt.Sprintf("5:%d: more than", maxMarks/2*5+5)},
		{"in a table cell", "|a|\n|-|\n|" + fill("[a](b", bodySize) + "|\n", fmt.Sprintf("7:%d: more than", maxMarks/2*5+2)},
		{"link reference definitions", fill("[a]: b\n", bodySize), fmt.Sprintf("%d:1: more than %d Markdown markers", 5+maxMarks, maxMarks)},
		{"nested lists", fill("- ", bodySize) + "a\n", fmt.Sprintf("5:%d: quotes and lists nested more than %d deep", nested, maxNesting)},
		{"nested ordered lists", fill("1. ", bodySize) + "a\n", fmt.Sprintf("5:%d: quotes and lists nested more than", maxNesting*3+1)},
		{"nested lists by indent", lines(bodySize, func(i int) string { return strings.Repeat("  ", i) + "- a\n" }), fmt.Sprintf("%d:%d: quotes and lists nested more than", 5+maxNesting, nested)},
		{"nested quotes", fill("> ", bodySize) + "a\n", fmt.Sprintf("5:%d: quotes and lists nested more than", nested)},
		{"nested quotes without spaces", strings.Repeat(">", bodySize) + "a\n", fmt.Sprintf("5:%d: quotes and lists nested more than", maxNesting+1)},
		{"quotes deeper on each line", lines(bodySize, func(i int) string { return strings.Repeat(">", i) + " a\n" }), fmt.Sprintf("%d:%d: quotes and lists nested more than", 5+maxNesting+1, maxNesting+1)},
		{"quotes and lists", fill("> - ", bodySize) + "a\n", fmt.Sprintf("5:%d: quotes and lists nested more than", nested)},
		{"short rows under a long header", "|" + strings.Repeat("a|", 4096) + "\n|" + strings.Repeat("-|", 4096) + "\n" + fill("a\n", bodySize-16384), fmt.Sprintf("6:1: more than %d table cells", maxTableCells)},
		{"a long table", "|a|b|c|\n|-|-|-|\n" + fill("|x|y|z|\n", bodySize), fmt.Sprintf("6:1: more than %d table cells", maxTableCells)},
		{"escaped pipes", "|a|\n|-|\n" + strings.Repeat("|`\\|`|\n", maxTableCells/2), fmt.Sprintf("%d:1: more than %d escaped pipes", 7+maxEscapedPipes, maxEscapedPipes)},
	}
	p := testParser(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := header + tt.body
			if len(src) > MaxFileSize {
				t.Fatalf("generated %d bytes, over MaxFileSize", len(src))
			}
			// On failure the parse goes on in the background: goldmark
			// cannot be stopped, which is what the limits are for.
			parsed := make(chan error, 1)
			go func() {
				_, err := p.Parse("x.md", "x", []byte(src))
				parsed <- err
			}()
			var err error
			select {
			case err = <-parsed:
			case <-time.After(ceiling):
				t.Fatalf("still parsing after %v, want an error long before", ceiling)
			}
			if err == nil {
				t.Fatalf("got no error, want x.md:%s", tt.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, "x.md:"+tt.want) {
				t.Errorf("got %q, want it to start x.md:%s", got, tt.want)
			}
			var list diag.List
			if !errors.As(err, &list) || len(list) != 1 || list[0].Fix == "" {
				t.Errorf("got %#v, want one diag.Error that says what to do", err)
			}
		})
	}
}

// TestMarkdownWithinLimits checks that bodies at each limit are accepted,
// and one step over it refused.
func TestMarkdownWithinLimits(t *testing.T) {
	table := func(cols, rows int) string {
		return "|" + strings.Repeat("a|", cols) + "\n|" + strings.Repeat("-|", cols) + "\n" + strings.Repeat("|b|\n", rows)
	}
	tests := []struct {
		name     string
		at, over string
	}{
		{"quotes", strings.Repeat("> ", maxNesting) + "a\n", strings.Repeat("> ", maxNesting+1) + "a\n"},
		{"lists", strings.Repeat("- ", maxNesting) + "a\n", strings.Repeat("- ", maxNesting+1) + "a\n"},
		{"list items", strings.Repeat("  ", maxNesting) + "- a\n", ""},
		{"markers", strings.Repeat("[a](b) ", maxMarks/2), strings.Repeat("[a](b) ", maxMarks/2) + "*"},
		{"images", strings.Repeat("![a](b) ", maxMarks/2), strings.Repeat("![a](b) ", maxMarks/2) + "<"},
		{"table cells", table(10, maxTableCells/10-1), table(10, maxTableCells/10)},
		{"escaped pipes", "|a|\n|-|\n" + strings.Repeat("|`\\|`|\n", maxEscapedPipes), "|a|\n|-|\n" + strings.Repeat("|`\\|`|\n", maxEscapedPipes+1)},
	}
	p := testParser(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Parse("x.md", "x", []byte(header+tt.at)); err != nil {
				t.Errorf("at the limit: got %v, want no error", err)
			}
			if tt.over == "" {
				return
			}
			if _, err := p.Parse("x.md", "x", []byte(header+tt.over)); err == nil {
				t.Errorf("over the limit: got no error, want one")
			}
		})
	}
}

// TestParseAllStopsWhenCancelled checks that a parse pool gives up the
// files it is parsing as soon as its context ends, as it does on SIGTERM,
// rather than finishing them: even within the limits a body can take
// goldmark a second.
func TestParseAllStopsWhenCancelled(t *testing.T) {
	p := testParser(t)
	// Lists 31 deep on every line: the slowest body within the limits.
	heavy := []byte(header + lines(bodySize/2, func(int) string { return strings.Repeat("- ", maxNesting-1) + "a\n" }))
	sources := make([]Source, runtime.GOMAXPROCS(0)) // one for every worker
	for i := range sources {
		sources[i] = Source{File: fmt.Sprintf("incidents/%d.md", i), Slug: fmt.Sprint(i), Data: heavy}
	}
	start := time.Now()
	if _, _, err := ParseAll(context.Background(), p, sources); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(full/20, cancel)
	start = time.Now()
	_, _, err := ParseAll(ctx, p, sources)
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if took > full/2 {
		t.Errorf("cancelled after %v, returned after %v; want well before the %v a full parse takes", full/20, took, full)
	}
	// A cancelled parse is not taken for a good one.
	if in, err := p.ParseContext(ctx, "x.md", "x", heavy); in != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, %v from a cancelled parse, want nil, context.Canceled", in, err)
	}
}
