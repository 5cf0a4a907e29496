package history

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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

var csvColumns = []string{"component", "time", "ok", "latency_ms", "status", "error", "region"}

// readCSV reads br, whose buffer holds maxLine bytes, a record at a time.
func readCSV(br *bufio.Reader, emit func(int, Result, error) error) error {
	recs := newCSVRecords(br)
	cr := csv.NewReader(recs)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// read reads a record and the line it starts on; the error is a
	// record's mistake, for emit, unless it is a *ReadError.
	read := func() ([]string, int, error) {
		rec, err := cr.Read()
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ := cr.FieldPos(0)
			if recs.isTooLong(rec, line) {
				return nil, line, errLineTooLong
			}
			return rec, line, nil
		case errors.As(err, &pe):
			return nil, pe.Line, fmt.Errorf("invalid CSV: %v", pe.Err)
		case errors.Is(err, io.EOF):
			return nil, 0, err
		}
		return nil, 0, &ReadError{Line: recs.reached(), Err: err}
	}
	header, line, err := read()
	var re *ReadError
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &re):
		return err
	case errors.Is(err, errLineTooLong):
		return emit(line, Result{}, err)
	case err != nil:
		return emit(line, Result{}, fmt.Errorf("invalid CSV header: %v", err))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !contains(csvColumns, h) {
			return emit(1, Result{}, fmt.Errorf("unknown CSV column %s (the columns are %s)", brief(h), strings.Join(csvColumns, ", ")))
		}
		col[h] = i
	}
	for _, need := range []string{"component", "time", "ok"} {
		if _, ok := col[need]; !ok {
			return emit(1, Result{}, fmt.Errorf("the CSV header has no %q column (the columns are %s)", need, strings.Join(csvColumns, ", ")))
		}
	}
	width := len(header)
	for {
		rec, line, err := read()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &re):
			return err
		}
		var r Result
		if err == nil {
			r, err = parseCSVRecord(rec, col, width)
		}
		if e := emit(line, r, err); e != nil {
			return e
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func parseCSVRecord(rec []string, col map[string]int, width int) (Result, error) {
	if len(rec) != width {
		return Result{}, fmt.Errorf("%d fields, the header has %d", len(rec), width)
	}
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var r Result
	r.Component = get("component")
	t, err := parseTime(get("time"))
	if err != nil {
		return r, err
	}
	r.Time = t
	if r.OK, err = strconv.ParseBool(get("ok")); err != nil {
		return r, fmt.Errorf("ok %s is not true or false", brief(get("ok")))
	}
	if v := get("latency_ms"); v != "" {
		if r.LatencyMS, err = strconv.ParseFloat(v, 64); err != nil {
			return r, fmt.Errorf("latency_ms %s is not a number", brief(v))
		}
	}
	if v := get("status"); v != "" {
		if r.Status, err = strconv.Atoi(v); err != nil {
			return r, fmt.Errorf("status %s is not a whole number", brief(v))
		}
	}
	r.Error = get("error")
	r.Region = get("region")
	return r, nil
}
