package history

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// decodeLine is the fast path of parseJSONLine: it decodes the common
// shape of a result line (one flat object, exactly-spelled keys, plain
// strings, numbers and booleans) without reflection or allocation beyond
// the interned strings. Anything else (an escape, a null, an unknown or
// differently-cased key, a syntax error, a missing field, an unusual time)
// makes it return ok false, and the caller decodes the line again with
// encoding/json, which accepts or words the error exactly as before. So the
// fast path only ever agrees with the slow one, sooner.
func decodeLine(b []byte, in *interner) (r Result, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return r, false
	}
	i = skipSpace(b, i+1)
	var haveComponent, haveTime, haveOK bool
	var timeText []byte
	if i < len(b) && b[i] == '}' {
		return r, false // no fields: let the slow path name the missing one
	}
	for {
		key, j, good := plainString(b, i)
		if !good {
			return r, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return r, false
		}
		i = skipSpace(b, i+1)
		switch string(key) {
		case "component", "time", "error", "region":
			v, j, good := plainString(b, i)
			if !good {
				return r, false
			}
			i = j
			switch string(key) {
			case "component":
				r.Component, haveComponent = in.get(v), true
			case "time":
				timeText, haveTime = v, true
			case "error":
				r.Error = in.get(v)
			case "region":
				r.Region = in.get(v)
			}
		case "ok":
			switch {
			case hasPrefix(b[i:], "true"):
				r.OK, i = true, i+4
			case hasPrefix(b[i:], "false"):
				r.OK, i = false, i+5
			default:
				return r, false
			}
			haveOK = true
		case "latency_ms":
			num, j, _ := number(b, i)
			if num == nil {
				return r, false
			}
			f, err := strconv.ParseFloat(string(num), 64)
			if err != nil {
				return r, false
			}
			r.LatencyMS, i = f, j
		case "status":
			num, j, integer := number(b, i)
			if num == nil || !integer {
				return r, false
			}
			n, err := strconv.Atoi(string(num))
			if err != nil {
				return r, false
			}
			r.Status, i = n, j
		default:
			return r, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return r, false
		}
		if b[i] == '}' {
			i++
			break
		}
		if b[i] != ',' {
			return r, false
		}
		i = skipSpace(b, i+1)
	}
	if skipSpace(b, i) != len(b) || !haveComponent || !haveTime || !haveOK {
		return r, false
	}
	t, good := utcTime(timeText)
	if !good {
		var err error
		if t, err = parseTime(string(timeText)); err != nil {
			return r, false
		}
	}
	r.Time = t
	return r, true
}

// utcTime parses the usual form of an RFC 3339 time, in UTC with an
// optional fraction (2026-11-28T15:00:00Z, 2026-11-28T15:00:00.25Z), as
// time.Parse would; any other form, or a field out of range, returns false
// for time.Parse to decide.
func utcTime(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	digits := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > 28 && day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	ns := 0
	switch frac := b[19 : len(b)-1]; {
	case len(frac) == 0:
	case frac[0] == '.' && len(frac) >= 2 && len(frac) <= 10:
		n, ok := digits(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		ns = n
	default:
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, ns, time.UTC), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// plainString reads a JSON string at b[i] that needs no unescaping: no
// backslash, no control character, valid UTF-8. It returns its contents
// and the index after the closing quote.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return nil, 0, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, 0, false
}

// number reads a JSON number at b[i], by JSON's grammar (strconv accepts
// more: "Inf", hex, underscores). integer says it has no fraction or
// exponent.
func number(b []byte, i int) (num []byte, next int, integer bool) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		return nil, 0, false
	}
	integer = true
	if j < len(b) && b[j] == '.' {
		integer = false
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, 0, false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		integer = false
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			return nil, 0, false
		}
	}
	return b[i:j], j, integer
}

// interner returns one string for equal byte slices: an import holds
// millions of results naming a few components, regions and errors, and
// converting each from bytes would allocate each time.
type interner struct{ m map[string]string }

// maxInterned bounds the table, should a file hold a distinct error text
// on every line, and maxInternedLen the strings it keeps: a line may be
// 64 KiB, and the table would hold 16,384 of them for the whole import.
const (
	maxInterned    = 1 << 14
	maxInternedLen = 256
)

func (in *interner) get(b []byte) string {
	if s, ok := in.m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string)
	}
	if len(in.m) < maxInterned && len(s) <= maxInternedLen {
		in.m[s] = s
	}
	return s
}
