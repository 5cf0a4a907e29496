package incident

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReplaceControl replaces with U+FFFD every character that neither an
// HTML page nor an XML feed may carry: control characters other than tab,
// newline and carriage return, noncharacters, and invalid UTF-8. HTML
// parsers flag them as errors and XML parsers refuse the whole document,
// and an incident's text reaches both, from a pasted terminal log or a
// YAML escape such as "\e".
func ReplaceControl(s string) string {
	// Nearly every string is clean: find the first character that is not,
	// a byte at a time for ASCII, before building anything.
	i := 0
	for i < len(s) {
		if b := s[i]; b < utf8.RuneSelf {
			if !carriedASCII[b] {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !carried(r) || r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	return s[:i] + strings.Map(func(r rune) rune {
		if carried(r) {
			return r
		}
		return utf8.RuneError
	}, s[i:])
}

// carriedASCII is carried for each ASCII byte. ReplaceControl scans
// every summary, update and title a byte at a time, and a lookup is a
// load where carried is a chain of range tests for each byte.
var carriedASCII = func() (t [utf8.RuneSelf]bool) {
	for b := range t {
		t[b] = carried(rune(b))
	}
	return t
}()

// carried reports whether HTML and XML 1.0 both take r as it is.
func carried(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20, r >= 0x7F && r <= 0x9F: // C0 and C1 controls, DEL
		return false
	case r >= 0xD800 && r <= 0xDFFF: // surrogates
		return false
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // noncharacters
		return false
	}
	return r <= utf8.MaxRune
}

// oneLine is b's words, each run of white space between them one space:
// strings.Join(strings.Fields(string(b)), " ") with one copy instead of
// three, for the summary of every incident file.
func oneLine(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	space := false
	for i := 0; i < len(b); {
		r, n := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
		}
		if unicode.IsSpace(r) {
			space = true
		} else {
			if space && s.Len() > 0 {
				s.WriteByte(' ')
			}
			space = false
			s.Write(b[i : i+n])
		}
		i += n
	}
	return s.String()
}
