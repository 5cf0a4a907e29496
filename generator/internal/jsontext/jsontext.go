// Package jsontext writes JSON text straight into bytes, escaped exactly
// as encoding/json escapes it, for the files herald writes by hand (the
// JSON feeds, the reports' JSON): FuzzString holds it to json.Marshal.
package jsontext

import "unicode/utf8"

// jsonSafe marks the ASCII bytes encoding/json writes as they are in a
// string when it escapes HTML, as json.Marshal does: not the control
// characters, the quote, the backslash, <, > and &.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
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
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
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
