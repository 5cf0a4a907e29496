// Package jsontext writes JSON text straight into bytes, escaped exactly
// as encoding/json escapes it, for the files herald writes by hand (the
// JSON feeds, the reports' JSON): FuzzString holds it to json.Marshal.
// AppendIndent indents what encoding/json wrote, as json.Indent does,
// for the API's documents: FuzzIndent holds it to json.Indent.
package jsontext

import (
	"bytes"
	"unicode/utf8"
)

// jsonSafe marks the ASCII bytes encoding/json writes as they are in a
// string when it escapes HTML, as json.Marshal does: not the control
// characters, the quote, the backslash, <, > and &. The bytes of other
// characters are not marked, as each must be read whole to be checked.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t['<'], t['>'], t['&'] = false, false, false, false, false
	return t
}()

// AppendString appends s quoted as json.Marshal quotes a string:
// HTML's <, > and & as \u003c, \u003e and \u0026, so that a file served
// as text/html runs nothing, U+2028 and U+2029 escaped, and invalid UTF-8
// as \ufffd.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		// The runs of plain text between the escapes are skipped over a
		// byte at a time and copied at once.
		for i < len(s) && jsonSafe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[last:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
			last = i + n
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[last:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			last = i + n
		}
		i += n
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// indent is a newline and the spaces of the deepest level AppendIndent
// writes in one append; deeper levels are written a level at a time.
const indent = "\n                                                                "

// AppendIndent appends src indented as json.Indent(dst, src, "", "  ")
// indents it: each element of a non-empty object or array on a line of
// its own, two spaces a level, "key": value, and {} and [] kept whole.
// src must be JSON as json.Marshal or a json.Encoder writes it, with no
// space outside its strings but for a trailing newline, which is kept;
// what it does with other input is not defined. It is several times
// faster than json.Indent, which runs each byte through a scanner: it
// copies a string up to its closing quote in one go. FuzzIndent holds
// it to json.Indent.
func AppendIndent(dst, src []byte) []byte {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, c, src[i+1])
				i++
				continue
			}
			depth++
			dst = append(dst, c)
			dst = appendNewline(dst, depth)
		case '}', ']':
			depth--
			dst = appendNewline(dst, depth)
			dst = append(dst, c)
		case ',':
			dst = append(dst, ',')
			dst = appendNewline(dst, depth)
		case ':':
			dst = append(dst, ':', ' ')
		default: // a number, true, false or null, or the trailing newline
			end := i + 1
			for end < len(src) && !isPunct(src[end]) {
				end++
			}
			dst = append(dst, src[i:end]...)
			i = end - 1
		}
	}
	return dst
}

// stringEnd is the index just past the string that starts with the quote
// at src[start]: past the first quote after it that no backslash escapes,
// or len(src) if there is none.
func stringEnd(src []byte, start int) int {
	for i := start + 1; ; {
		q := bytes.IndexByte(src[i:], '"')
		if q < 0 {
			return len(src)
		}
		i += q
		slashes := 0
		for j := i - 1; j > start && src[j] == '\\'; j-- {
			slashes++
		}
		if slashes%2 == 0 {
			return i + 1
		}
		i++
	}
}

// isPunct reports whether c ends a number or a literal in compact JSON.
func isPunct(c byte) bool {
	switch c {
	case '"', '{', '}', '[', ']', ',', ':':
		return true
	}
	return false
}

// appendNewline appends a newline and depth levels of indentation.
func appendNewline(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for depth > 0 {
		n := min(depth*2, len(indent)-1)
		dst = append(dst, indent[1:1+n]...)
		depth -= n / 2
	}
	return dst
}
