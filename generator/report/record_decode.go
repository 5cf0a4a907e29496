package report

import (
	"time"
	"unicode/utf8"
)

// decodeRecord decodes a record as herald writes it, to what
// json.Unmarshal decodes from it, without reflection: a site of years of
// a hundred components keeps a megabyte of record, which json.Unmarshal
// took 17 ms of CPU to decode at every build. It knows the record's
// fields and no other JSON: at anything else (a field it does not know
// or meets twice, a null where herald writes none, an escape in a
// string, invalid UTF-8, a number that is not a whole one) it says
// false, and the caller decodes the file with json.Unmarshal as before.
// FuzzDecodeRecord and FuzzDecodeRecordWritten hold it to json.Unmarshal.
func decodeRecord(data []byte) (*Record, bool) {
	d := &recordDecoder{data: data}
	rec := &Record{}
	var seen fieldSet
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "version":
			v, ok := d.int()
			rec.Version = int(v)
			return seen.first(0) && ok && int64(rec.Version) == v
		case "months":
			rec.Months = map[string]*Published{}
			return seen.first(1) && d.object(func(name []byte) bool {
				if _, again := rec.Months[string(name)]; again {
					return false
				}
				p := new(Published)
				rec.Months[string(name)] = p
				return d.published(p)
			})
		}
		return false
	})
	d.space()
	return rec, ok && d.i == len(data)
}

// recordDecoder reads JSON text from data, from i on.
type recordDecoder struct {
	data []byte
	i    int
}

// fieldSet is the fields of an object met so far, by their index.
type fieldSet uint8

// first marks field i as met, and reports whether it was not before.
func (s *fieldSet) first(i uint) bool {
	if *s&(1<<i) != 0 {
		return false
	}
	*s |= 1 << i
	return true
}

// space skips JSON's white space.
func (d *recordDecoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and then c, and reports whether c was there.
func (d *recordDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// null reads a null, and reports whether there was one.
func (d *recordDecoder) null() bool {
	d.space()
	if len(d.data)-d.i >= 4 && string(d.data[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

// object reads an object, handing each key to member, which reads the
// value after the colon.
func (d *recordDecoder) object(member func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		key, ok := d.text()
		if !ok || !d.next(':') || !member(key) {
			return false
		}
		if d.next('}') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// array reads an array, calling elem to read each element.
func (d *recordDecoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(']') {
			return true
		}
		if !d.next(',') {
			return false
		}
	}
}

// text reads a string that needs no unescaping: the bytes between its
// quotes, which must be valid UTF-8 with no control character.
func (d *recordDecoder) text() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.data) {
		switch c := d.data[d.i]; {
		case c == '"':
			s := d.data[start:d.i]
			d.i++
			return s, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		}
		d.i++
	}
	return nil, false
}

func (d *recordDecoder) string(dst *string) bool {
	s, ok := d.text()
	*dst = string(s)
	return ok
}

// time reads a time as time.Time's UnmarshalJSON does, which takes the
// string's bytes as they are, RFC 3339.
func (d *recordDecoder) time(dst *time.Time) bool {
	s, ok := d.text()
	return ok && dst.UnmarshalText(s) == nil
}

// int reads a whole number that fits an int64: a minus sign, then digits
// without a leading zero, and no fraction or exponent.
func (d *recordDecoder) int() (int64, bool) {
	d.space()
	neg := d.i < len(d.data) && d.data[d.i] == '-'
	if neg {
		d.i++
	}
	start := d.i
	var n uint64
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(d.data[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	switch {
	case digits == 0, digits > 1 && d.data[start] == '0':
		return 0, false
	case d.i < len(d.data) && (d.data[d.i] == '.' || d.data[d.i] == 'e' || d.data[d.i] == 'E'):
		return 0, false
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

func (d *recordDecoder) int64(dst *int64) bool {
	n, ok := d.int()
	*dst = n
	return ok
}

// published reads a month's Published.
func (d *recordDecoder) published(p *Published) bool {
	var seen fieldSet
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "published_at":
			return seen.first(0) && d.time(&p.At)
		case "components":
			return seen.first(1) && d.figures(&p.Components)
		case "site":
			return seen.first(2) && d.figurePtr(&p.Site)
		case "revisions":
			if d.null() {
				return seen.first(3)
			}
			p.Revisions = []Revision{}
			return seen.first(3) && d.array(func() bool {
				p.Revisions = append(p.Revisions, Revision{})
				return d.revision(&p.Revisions[len(p.Revisions)-1])
			})
		}
		return false
	})
}

// revision reads a Revision.
func (d *recordDecoder) revision(r *Revision) bool {
	var seen fieldSet
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "at":
			return seen.first(0) && d.time(&r.At)
		case "from":
			return seen.first(1) && d.figures(&r.From)
		case "site":
			return seen.first(2) && d.figurePtr(&r.Site)
		}
		return false
	})
}

// figures reads an array of figures; an empty one is an empty slice, and
// a null nil, as json.Unmarshal makes them. A revision of the site's
// figure alone has a null from.
func (d *recordDecoder) figures(dst *[]PublishedFigure) bool {
	if d.null() {
		return true
	}
	*dst = []PublishedFigure{}
	return d.array(func() bool {
		*dst = append(*dst, PublishedFigure{})
		return d.figure(&(*dst)[len(*dst)-1])
	})
}

// figurePtr reads a figure that may be null.
func (d *recordDecoder) figurePtr(dst **PublishedFigure) bool {
	if d.null() {
		return true
	}
	*dst = new(PublishedFigure)
	return d.figure(*dst)
}

// figure reads a PublishedFigure.
func (d *recordDecoder) figure(f *PublishedFigure) bool {
	var seen fieldSet
	return d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return seen.first(0) && d.string(&f.ID)
		case "uptime":
			return seen.first(1) && d.string(&f.Uptime)
		case "down_minutes":
			return seen.first(2) && d.int64(&f.DownMinutes)
		case "observed_minutes":
			return seen.first(3) && d.int64(&f.ObservedMinutes)
		case "maintenance_minutes":
			return seen.first(4) && d.int64(&f.MaintenanceMinutes)
		}
		return false
	})
}
