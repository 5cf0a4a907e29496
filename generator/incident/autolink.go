package incident

import (
	"bytes"
	"strings"

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
// split, so "a \t\n" keeps a space before the line break or the end of
// a heading, which CommonMark and the other parse drop
// (TestAutolinkFreeParse).
//
// A body whose address reads as bare text (bareAddress) would be parsed
// twice for it, so it gets GFM's parse at once.
func (p *Parser) parseMarkdown(body []byte) (ast.Node, *budget) {
	bare, found := bareAddress(body)
	if bare {
		return p.parseWith(p.md, body)
	}
	root, b := p.parseWith(p.plain, body)
	if b.cancelled() || !found || !textMayAutolink(root, body) {
		return root, b
	}
	return p.parseWith(p.md, body)
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
	return addresses(b, func(start, end int) bool { return true })
}

// bareAddress reports whether b holds an address, as mayAutolink finds
// them, at the start of a line or after a space, a tab, '*', '_' or '~',
// where GFM's autolinks look: most likely bare text, which the parse
// without autolinks would only make again. An address after '(' may be
// a link's destination ("[a](https://…)") and is left to the check after
// the parse, and so is one elsewhere, or an '@' with nothing before it
// that an address may have. This only chooses which parse comes first:
// the result is the same either way. found is mayAutolink(b), from the
// same scan.
func bareAddress(b []byte) (bare, found bool) {
	bare = addresses(b, func(start, end int) bool {
		found = true
		if start == end {
			return false
		}
		if start == 0 {
			return true
		}
		switch b[start-1] {
		case ' ', '\t', '\n', '*', '_', '~':
			return true
		}
		return false
	})
	return bare, found
}

// addresses calls found with each span [start, end) of b that GFM could
// autolink from, until found returns true, and reports whether it did:
// each "www.", "http:", "https:" and "ftp:", and before each '@' the run
// of characters an email address may have there, which may be empty.
func addresses(b []byte, found func(start, end int) bool) bool {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], '@')
		if i < 0 {
			break
		}
		at := off + i
		start := at
		for start > 0 && addressByte(b[start-1]) {
			start--
		}
		if found(start, at) {
			return true
		}
		off = at + 1
	}
	for off := 0; ; {
		i := bytes.Index(b[off:], linkWWW)
		if i < 0 {
			break
		}
		if found(off+i, off+i+len(linkWWW)) {
			return true
		}
		off += i + len(linkWWW)
	}
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], ':')
		if i < 0 {
			return false
		}
		colon := off + i
		for _, scheme := range [...][]byte{linkHTTPS, linkHTTP, linkFTP} {
			if bytes.HasSuffix(b[:colon], scheme) {
				if found(colon-len(scheme), colon+1) {
					return true
				}
				break
			}
		}
		off = colon + 1
	}
}

var (
	linkWWW   = []byte("www.")
	linkHTTP  = []byte("http")
	linkHTTPS = []byte("https")
	linkFTP   = []byte("ftp")
)

// addressByte reports whether c may be in an email address before its
// '@', as goldmark's util.FindEmailIndex takes it.
func addressByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".!#$%&'*+-/=?^_`{|}~", c) >= 0
}

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
