package feed

import (
	"strings"
	"time"
	"unicode/utf8"
)

// The feeds are written straight into bytes, without encoding/xml's and
// encoding/json's reflection, but escaped exactly as they escape: the
// fuzz tests hold each function here to its encoder, and TestEncoding
// holds whole feeds to gorilla/feeds written through them.

// xmlEscapes is what encoding/xml writes for each ASCII byte it escapes
// in text and attributes; an empty entry is a byte written as it is. The
// control characters XML 1.0 cannot carry become U+FFFD.
var xmlEscapes = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return t
}()

// xmlPlain marks the bytes that appendXMLText copies as they are: ASCII
// with no escape. The bytes of other characters are not marked, as each
// must be read whole to be checked.
var xmlPlain = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = xmlEscapes[c] == ""
	}
	return t
}()

// appendXMLText appends s escaped as encoding/xml's Encoder escapes a
// string element or attribute (xml.EscapeText): it also escapes quotes
// and white space other than the space, and writes U+FFFD for what XML
// cannot carry, invalid UTF-8 included.
func appendXMLText(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		// The runs of plain text between the escapes, most of an item's
		// content, are skipped over a byte at a time and copied at once.
		for i < len(s) && xmlPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[last:i]...)
			b = append(b, xmlEscapes[c]...)
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		// The only characters above ASCII outside XML's range that
		// UTF-8 can hold are U+FFFE and U+FFFF.
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			b = append(b, s[last:i]...)
			b = append(b, "\uFFFD"...)
			last = i + n
		}
		i += n
	}
	return append(b, s[last:]...)
}

// appendCDATA appends s as a CDATA section the way encoding/xml writes a
// ",cdata" field: nothing at all for "", and each "]]>" inside split over
// two sections. Nothing else is escaped, so s must be xmlSafe.
func appendCDATA(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = s[i+len("]]>"):]
	}
	b = append(b, s...)
	return append(b, "]]>"...)
}

// appendJSONTime appends t as encoding/json writes a time.Time, which
// fails as it does for a year it cannot write.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	return append(b, '"'), err
}
