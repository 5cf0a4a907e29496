package incident

import (
	"bytes"
	"context"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Limits on the Markdown of a body. goldmark's time grows with the square
// of some inputs: a megabyte of `[a](b` took minutes, as did quotes and
// lists nested thousands deep, and the 1 MiB cap on a file does not bound
// it. Nor can a parse be interrupted from outside. So these limits stop
// goldmark where the cost would grow, from inside the parse (see
// markdownLimits), and the file is refused with an error at the line that
// passed a limit. Each limit is far above what an incident needs; under
// them a 1 MiB body parses in about a second at worst.
const (
	// maxNesting is how deep block quotes and list items may nest: each
	// level costs goldmark a scan of the line so far, on every line.
	maxNesting = 32
	// maxMarks is how many markers that start inline Markdown (links,
	// code, raw HTML, emphasis) one paragraph, heading or table cell may
	// hold: goldmark may scan the rest of the paragraph, or back over its
	// markers, from each of them.
	maxMarks = 256
	// maxTableCells is how many cells the tables of a body may have in
	// all, counting the empty cells goldmark adds to rows shorter than the
	// header: a table with a long header and many short rows grows as the
	// product of the two.
	maxTableCells = 50_000
	// maxEscapedPipes is how many `\|` the tables of a body may hold:
	// goldmark matches every such cell against every other.
	maxEscapedPipes = 1000
)

// ParseContext is [Parser.Parse] that gives up soon after ctx ends, with
// ctx's error, even in the middle of a long body.
func (p *Parser) ParseContext(ctx context.Context, file, slug string, src []byte) (*Incident, error) {
	q := *p
	q.done = ctx.Done()
	in, err := q.Parse(file, slug, src)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return in, err
}

// markdownLimits is the goldmark extension that enforces the limits: a
// block parser, an inline parser and a paragraph transformer, each run
// before goldmark's own, that count and step aside while a body is within
// the limits. Past a limit they cut what passed it (the line, the rest of
// the paragraph, the table), note the first such place for the error, and
// the parse goes on, so that the file's other mistakes are found too.
// Once the caller gives up they cut everything: every line becomes an
// empty block, every paragraph is dropped and every inline run skipped,
// so that the rest of the parse takes next to no time.
type markdownLimits struct{}

func (markdownLimits) Extend(m goldmark.Markdown) {
	// Priority -1 runs them before every parser goldmark and GFM have; the
	// lowest of those, the task list's, is 0.
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(nestingLimit{}, -1)),
		parser.WithInlineParsers(util.Prioritized(markLimit{}, -1)),
		parser.WithParagraphTransformers(util.Prioritized(paragraphLimit{}, -1)),
	)
}

// budget is one parse's account against the limits. It lives in the
// parser context, under budgetKey.
type budget struct {
	done  <-chan struct{} // closed when the caller gives up; nil for never
	over  *overLimit      // the first place a limit was passed
	block ast.Node        // the inline block whose marks are counted
	marks int
	cells int
	pipes int
}

// overLimit says where a body passed a limit and what to do.
type overLimit struct {
	off      int // byte offset in the body
	msg, fix string
}

var budgetKey = parser.NewContextKey()

func budgetOf(pc parser.Context) *budget {
	return pc.ComputeIfAbsent(budgetKey, func() any { return &budget{} }).(*budget)
}

// cancelled reports whether the caller gave up on the parse.
func (b *budget) cancelled() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

func (b *budget) exceed(off int, fix, format string, args ...any) {
	if b.over == nil {
		b.over = &overLimit{off: off, msg: fmt.Sprintf(format, args...), fix: fix}
	}
}

// nestingLimit turns a line that would nest a block quote or list item
// deeper than maxNesting into an empty block, and every line once the
// parse is cancelled.
type nestingLimit struct{}

// everyByte makes nestingLimit the first parser asked at every line.
var everyByte = func() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func (nestingLimit) Trigger() []byte { return everyByte }

func (nestingLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	if parent.Kind() == ast.KindList {
		return nil, parser.NoChildren // a list holds list items only
	}
	b := budgetOf(pc)
	if !b.cancelled() {
		line, seg := reader.PeekLine()
		at := pc.BlockOffset()
		if at < 0 || pc.BlockIndent() > 3 || !opensContainer(line[at:]) || nesting(parent) < maxNesting {
			return nil, parser.NoChildren
		}
		b.exceed(seg.Start+at, "nest them less deeply; show a long quoted mail thread as a code block",
			"quotes and lists nested more than %d deep", maxNesting)
	}
	return ast.NewTextBlock(), parser.NoChildren
}

func (nestingLimit) Continue(ast.Node, text.Reader, parser.Context) parser.State { return parser.Close }
func (nestingLimit) Close(ast.Node, text.Reader, parser.Context)                 {}
func (nestingLimit) CanInterruptParagraph() bool                                 { return true }
func (nestingLimit) CanAcceptIndentedLine() bool                                 { return true }

// nesting counts the block quotes and list items that n is inside,
// n included.
func nesting(n ast.Node) int {
	d := 0
	for ; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindBlockquote || k == ast.KindListItem {
			d++
		}
	}
	return d
}

// opensContainer reports whether a line, from its first non-blank
// character, starts a block quote or a list item.
func opensContainer(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	spaceAfter := func(i int) bool { return i == len(line) || util.IsSpace(line[i]) }
	switch c := line[0]; {
	case c == '>':
		return true
	case c == '-' || c == '+' || c == '*':
		return spaceAfter(1) && (c == '+' || !thematicBreak(line))
	case c >= '0' && c <= '9':
		i := 1
		for i < len(line) && i < 10 && line[i] >= '0' && line[i] <= '9' {
			i++
		}
		return i < len(line) && (line[i] == '.' || line[i] == ')') && spaceAfter(i+1)
	}
	return false
}

// thematicBreak reports whether a line is three or more - or *, with
// blanks between: a rule, not a list item.
func thematicBreak(line []byte) bool {
	n := 0
	for _, c := range line {
		switch {
		case c == line[0]:
			n++
		case !util.IsSpace(c):
			return false
		}
	}
	return n >= 3
}

// markLimit counts the markers that start inline Markdown in each block,
// skips the rest of a block past maxMarks, and of every block once the
// parse is cancelled.
type markLimit struct{}

func (markLimit) Trigger() []byte { return []byte{'[', ']', '!', '`', '<', '*', '_', '~'} }

func (markLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	b := budgetOf(pc)
	if b.cancelled() {
		return skipBlock(block)
	}
	line, seg := block.PeekLine()
	if line[0] == '!' && (len(line) == 1 || line[1] != '[') {
		return nil // not an image
	}
	if parent != b.block {
		b.block, b.marks = parent, 0
	}
	if b.marks++; b.marks > maxMarks {
		b.exceed(seg.Start, markFix, markMsg, maxMarks)
		return skipBlock(block)
	}
	return nil
}

const (
	markMsg = "more than %d Markdown markers ([ ] ` < * _ ~) in one paragraph"
	markFix = "split the paragraph, or put logs and code in a fenced code block (```)"
)

// skipBlock moves past the rest of a block and returns an empty node,
// which goldmark takes for all of the block's remaining text.
func skipBlock(block text.Reader) ast.Node {
	for line, _ := block.PeekLine(); line != nil; line, _ = block.PeekLine() {
		block.AdvanceLine()
	}
	return ast.NewText()
}

// paragraphLimit counts what goldmark's paragraph transformers would
// build, before they build it: link reference definitions, whose every
// one costs a copy of the paragraph's remaining lines, and table cells.
// It drops a paragraph past a limit, and every paragraph once the parse
// is cancelled.
type paragraphLimit struct{}

func (paragraphLimit) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	if b := budgetOf(pc); b.cancelled() || !b.count(node.Lines(), reader.Source()) {
		node.Parent().RemoveChild(node.Parent(), node)
	}
}

// count counts the paragraph made of lines against the limits, and
// reports whether it is within them.
func (b *budget) count(lines *text.Segments, src []byte) bool {
	refs := 0
	for i := range lines.Len() {
		seg := lines.At(i)
		if line := bytes.TrimLeft(seg.Value(src), " \t"); len(line) > 0 && line[0] == '[' {
			// A line that may be a link reference definition.
			if refs++; refs > maxMarks {
				b.exceed(seg.Start, markFix, markMsg, maxMarks)
				return false
			}
		}
	}
	for i := 1; i < lines.Len(); i++ {
		row := lines.At(i)
		delim := row.Value(src)
		if !tableDelimiter(delim) {
			continue
		}
		// goldmark gives the header row and every row after the delimiter
		// row as many cells as the delimiter row has.
		cols := len(bytes.Split(bytes.Trim(bytes.TrimSpace(delim), "|"), []byte("|")))
		b.cells += cols * (lines.Len() - i)
		if b.cells > maxTableCells {
			b.exceed(row.Start, "link to the data instead of pasting it as a table",
				"more than %d table cells in this file, counting the empty cells of short rows", maxTableCells)
			return false
		}
		for j := i - 1; j < lines.Len(); j++ {
			seg := lines.At(j)
			if b.pipes += bytes.Count(seg.Value(src), []byte(`\|`)); b.pipes > maxEscapedPipes {
				b.exceed(seg.Start, "link to the data instead of pasting it as a table",
					`more than %d escaped pipes (\|) in the tables of this file`, maxEscapedPipes)
				return false
			}
		}
		return true // goldmark makes one table of a paragraph
	}
	return true
}

// tableDelimiter reports whether a line may be a table's delimiter row,
// such as `|---|:-:|`, as goldmark's table extension tells it.
func tableDelimiter(line []byte) bool {
	dash := false
	for _, c := range line {
		switch {
		case c == '-':
			dash = true
		case c != '|' && c != ':' && !util.IsSpace(c):
			return false
		}
	}
	return dash
}
