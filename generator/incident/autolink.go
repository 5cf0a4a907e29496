package incident

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// parseMarkdown parses body, held to the Markdown limits by the budget it
// returns (limits.go), as GFM would.
//
// GFM's autolinks (extension.Linkify) turn a bare address in the text,
// http://…, https://…, ftp://…, www.… or name@domain, into a link. To
// find them goldmark asks at every space and every '*', '_', '~' and
// '(' of every line, about 4 % of a clean build's CPU, while
// most bodies have no bare address: their addresses are in links. So the
// body is parsed first without autolinks (p.plain), and parsed again with
// them (p.md) only when a text of that tree holds what an autolink starts
// with or needs: "http:", "https:", "ftp:", "www." or '@'.
//
// That second parse is the only one that could differ. An autolink starts
// in the text: at a line's start or after a space, '*', '_', '~' or '(',
// where the parse without autolinks goes on reading text. None of
// "http:", "https:", "ftp:" and "www." holds a character that another
// parser takes, so whatever autolink GFM would make, the other tree holds
// its start in a text node; an address's '@' too, which may end up in
// inline code there: "a`@b.c`" is an autolink to GFM, since '`' may be in
// an address, and code to the other (FuzzAutolinkFreeParse found it).
// Without autolinks the trees differ only in where text nodes are split,
// which renders the same but for white space at the end of a line: GFM
// splits a line's text at each space and trims only after the last
// split, so "a \t\n" keeps a space before the line break, which
// CommonMark and the other parse drop (TestAutolinkFreeParse).
func (p *Parser) parseMarkdown(body []byte) (ast.Node, *budget) {
	root, b := p.parseWith(p.plain, body)
	if b.cancelled() || !needsAutolinks(root, body) {
		return root, b
	}
	return p.parseWith(p.md, body)
}

// needsAutolinks reports whether a text node of root, body parsed without
// autolinks, holds something GFM could autolink.
func needsAutolinks(root ast.Node, body []byte) bool {
	return mayAutolink(body) && textMayAutolink(root, body)
}

func (p *Parser) parseWith(md goldmark.Markdown, body []byte) (ast.Node, *budget) {
	b := &budget{done: p.done}
	pc := parser.NewContext()
	pc.Set(budgetKey, b)
	return md.Parser().Parse(text.NewReader(body), parser.WithContext(pc)), b
}

// mayAutolink reports whether b holds something GFM could autolink:
// '@', "www.", or a ':' after "http", "https" or "ftp".
func mayAutolink(b []byte) bool {
	if bytes.IndexByte(b, '@') >= 0 || bytes.Contains(b, linkWWW) {
		return true
	}
	for {
		i := bytes.IndexByte(b, ':')
		if i < 0 {
			return false
		}
		if before := b[:i]; bytes.HasSuffix(before, linkHTTP) || bytes.HasSuffix(before, linkHTTPS) || bytes.HasSuffix(before, linkFTP) {
			return true
		}
		b = b[i+1:]
	}
}

var (
	linkWWW   = []byte("www.")
	linkHTTP  = []byte("http")
	linkHTTPS = []byte("https")
	linkFTP   = []byte("ftp")
)

// textMayAutolink reports whether a text node under n holds something
// GFM could autolink.
func textMayAutolink(n ast.Node, src []byte) bool {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			if mayAutolink(t.Segment.Value(src)) {
				return true
			}
		} else if c.HasChildren() && textMayAutolink(c, src) {
			return true
		}
	}
	return false
}
