package history

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// tooLongRecord stands in for a CSV record longer than maxLine: one field
// no result can hold.
const tooLongRecord = "\x00line too long"

// csvRecords passes CSV on to encoding/csv a record at a time, each at
// most maxLine bytes: encoding/csv has no limit, and would gather a record
// of any length (a quoted field may also run over any number of lines). A
// longer record is dropped unread and replaced by tooLongRecord followed
// by as many newlines as it had, so that csv's line numbers stay true.
//
// It finds where records end as encoding/csv does with its defaults
// (comma ',', no comments, strict quotes): at a newline outside quotes,
// or at the end of a line on which a quote is misplaced, where csv gives
// up on the record.
type csvRecords struct {
	br    *bufio.Reader
	rec   []byte // the record gathered so far
	out   []byte // a whole record, for Read
	outNL int    // newlines for Read after out: those of a dropped record
	state csvState
	lines int  // newlines read
	start int  // the line the record being gathered starts on
	long  bool // the record being gathered is too long: dropped
	nl    int  // newlines of the record being gathered
	// tooLong are the lines on which the records replaced by
	// tooLongRecord start, oldest first, for isTooLong.
	tooLong []int
	err     error // from br, returned once out is drained
}

type csvState uint8

const (
	fieldStart csvState = iota // a field (or record) begins
	unquoted                   // in a field without quotes
	quoted                     // in a quoted field
	closing                    // after a quote in a quoted field: its end, or the first of ""
	closingCR                  // after `"\r`: csv drops the \r of "\r\n
	broken                     // after a quote csv rejects: the record ends with the line
	recordEnd                  // after the newline that ends a record
)

// next is the state after byte c.
func (s csvState) next(c byte) csvState {
	switch s {
	case fieldStart, recordEnd:
		switch c {
		case '"':
			return quoted
		case ',':
			return fieldStart
		case '\n':
			return recordEnd
		}
		return unquoted
	case unquoted:
		switch c {
		case ',':
			return fieldStart
		case '\n':
			return recordEnd
		case '"':
			return broken
		}
		return unquoted
	case quoted:
		if c == '"' {
			return closing
		}
		return quoted
	case closing:
		switch c {
		case '"':
			return quoted
		case ',':
			return fieldStart
		case '\n':
			return recordEnd
		case '\r':
			return closingCR
		}
		return broken
	case closingCR:
		if c == '\n' {
			return recordEnd
		}
		return broken
	}
	if c == '\n' { // broken
		return recordEnd
	}
	return broken
}

func newCSVRecords(br *bufio.Reader) *csvRecords { return &csvRecords{br: br, start: 1} }

func (r *csvRecords) Read(p []byte) (int, error) {
	for len(r.out) == 0 && r.outNL == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	for ; n < len(p) && len(r.out) == 0 && r.outNL > 0; n++ {
		p[n] = '\n'
		r.outNL--
	}
	return n, nil
}

// fill reads a line, or as much of one as the buffer holds, and passes on
// the record it completes, if any.
func (r *csvRecords) fill() {
	// A record can end only at a newline, and ReadSlice stops at the
	// first one.
	chunk, err := r.br.ReadSlice('\n')
	for _, c := range chunk {
		r.state = r.state.next(c)
	}
	nl := bytes.Count(chunk, []byte{'\n'})
	r.lines += nl
	r.nl += nl
	if !r.long && len(r.rec)+len(chunk) > maxLine {
		r.long, r.rec = true, r.rec[:0]
	}
	ended := r.state == recordEnd
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		err = nil
	case err == nil:
	case errors.Is(err, io.EOF):
		ended = true // csv ends the last record at the end of the input
	default:
		// The input broke off (a truncated gzip file): the record it cut
		// is not whole, and is not passed on.
		r.err = err
		return
	}
	switch {
	case r.long && ended:
		r.tooLong = append(r.tooLong, r.start)
		r.out, r.outNL = []byte(tooLongRecord), r.nl
	case r.long:
	case !ended:
		r.rec = append(r.rec, chunk...)
	case len(r.rec) == 0:
		r.out = chunk // read before the next ReadSlice: no copy needed
	default:
		r.rec = append(r.rec, chunk...)
		r.out = r.rec
	}
	if ended {
		r.rec, r.long, r.nl, r.start = r.rec[:0], false, 0, r.lines+1
	}
	if err != nil {
		r.err = err
	}
}

// isTooLong says whether rec, a record csv read that starts on line, is
// one that stood in for a record too long to read.
func (r *csvRecords) isTooLong(rec []string, line int) bool {
	for len(r.tooLong) > 0 && r.tooLong[0] < line {
		r.tooLong = r.tooLong[1:] // a record that looked like one
	}
	if len(rec) != 1 || rec[0] != tooLongRecord || len(r.tooLong) == 0 || r.tooLong[0] != line {
		return false
	}
	r.tooLong = r.tooLong[1:]
	return true
}

// reached is the line the input has been read to.
func (r *csvRecords) reached() int { return r.lines + 1 }
