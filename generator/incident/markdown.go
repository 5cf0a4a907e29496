package incident

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// newMarkdown configures goldmark for incident bodies. By default raw HTML
// is shown as text rather than dropped, so an author sees what they wrote,
// and links or images whose destination could run script are unwrapped to
// their text whatever the setting: a status page is the last place a
// compromised account should be able to plant a script.
//
// Without autolinks it is GFM without GFM's autolinks (extension.Linkify),
// for the first parse of a body (autolink.go).
func newMarkdown(unsafeHTML, autolinks bool) goldmark.Markdown {
	opts := []renderer.Option{}
	if unsafeHTML {
		opts = append(opts, html.WithUnsafe())
	} else {
		opts = append(opts, renderer.WithNodeRenderers(util.Prioritized(escapeRawHTML{}, 10)))
	}
	// extension.GFM is these four, in this order.
	exts := []goldmark.Extender{extension.Linkify, extension.Table, extension.Strikethrough, extension.TaskList, markdownLimits{}}
	if !autolinks {
		exts = exts[1:]
	}
	return goldmark.New(
		goldmark.WithExtensions(exts...),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(dropDangerousLinks{}, 100))),
		goldmark.WithRendererOptions(opts...),
	)
}

// escapeRawHTML renders inline and block HTML as visible, escaped text.
type escapeRawHTML struct{}

func (escapeRawHTML) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := range segs.Len() {
				s := segs.At(i)
				_, _ = w.Write(util.EscapeHTML(s.Value(src)))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	r.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		_, _ = w.WriteString("<p>")
		lines := b.Lines()
		for i := range lines.Len() {
			s := lines.At(i)
			_, _ = w.Write(util.EscapeHTML(bytes.TrimRight(s.Value(src), "\n")))
			if i < lines.Len()-1 || b.HasClosure() {
				_ = w.WriteByte('\n')
			}
		}
		if b.HasClosure() {
			_, _ = w.Write(util.EscapeHTML(bytes.TrimRight(b.ClosureLine.Value(src), "\n")))
		}
		_, _ = w.WriteString("</p>\n")
		return ast.WalkSkipChildren, nil
	})
}

// dropDangerousLinks replaces links and images whose destination goldmark
// considers dangerous (javascript:, vbscript:, file:, non-image data:) by
// their text.
type dropDangerousLinks struct{}

// dangerous reports whether a destination is dangerous as the renderer
// writes it: with its escapes and character references decoded when
// resolve is set, as they are in links and images, so that
// `java&#x73;cript:` is caught too.
func dangerous(dest []byte, resolve bool) bool {
	return dangerousURL(util.URLEscape(dest, resolve))
}

// dangerousURL is html.IsDangerousURL, which TestDangerousURL and
// FuzzDangerousURL hold it to, without the two lowered copies that
// goldmark makes for each of its five prefixes: ten allocations for
// every link of every incident file. Comparing ASCII alone is the same
// test, because a prefix is ASCII and lowering any other character
// leaves a byte that is not, or changes the length.
func dangerousURL(url []byte) bool {
	if hasPrefixFold(url, "data:image/") {
		v := url[len("data:image/"):]
		return !hasPrefixFold(v, "png;") && !hasPrefixFold(v, "gif;") &&
			!hasPrefixFold(v, "jpeg;") && !hasPrefixFold(v, "webp;")
	}
	return hasPrefixFold(url, "javascript:") || hasPrefixFold(url, "vbscript:") ||
		hasPrefixFold(url, "file:") || hasPrefixFold(url, "data:")
}

// hasPrefixFold reports whether s starts with prefix, a lower-case ASCII
// string, in any case.
func hasPrefixFold(s []byte, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := range len(prefix) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

func (dropDangerousLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var bad []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch l := n.(type) {
		case *ast.Link:
			if dangerous(l.Destination, true) {
				bad = append(bad, n)
			}
		case *ast.Image:
			if dangerous(l.Destination, true) {
				bad = append(bad, n)
			}
		case *ast.AutoLink:
			if dangerous(l.URL(src), false) {
				bad = append(bad, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range bad {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		if al, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(al.URL(src)))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// plainText collects the text of nodes, for descriptions and feed
// summaries.
func plainText(b *bytes.Buffer, src []byte, n ast.Node) {
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock && b.Len() > 0 && n.NextSibling() != nil {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.URL(src))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}
