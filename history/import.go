package history

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ImportStats counts what an import did.
type ImportStats struct {
	Lines      int // result lines read (not the CSV header or blank lines)
	Imported   int // new results stored
	Duplicates int // results already stored, ignored
	Expired    int // results older than the retention horizon, ignored
	Bad        int // lines skipped as invalid
}

// LineError is one bad line of an imported file.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e LineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ReadError is an import that stopped because its file could not be read
// to the end, such as a truncated gzip file. The results of the lines
// before Line were kept, and importing the file again is safe: results
// already stored are skipped.
type ReadError struct {
	File      string
	Line      int // the line the file was read to
	Committed int // results this import stored
	Err       error
}

func (e *ReadError) Error() string {
	what := "read results: " + e.Err.Error()
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		what = "the file ends early, cut short (" + e.Err.Error() + ")"
	}
	return fmt.Sprintf("%s:%d: %s; this import committed %d new results from the lines before it "+
		"(importing is idempotent: once the file is whole, import it again, and the results already stored are skipped)",
		e.File, e.Line, what, e.Committed)
}

func (e *ReadError) Unwrap() error { return e.Err }

// maxLineErrors is how many bad lines an ImportError lists; the rest are
// only counted, so a file in the wrong format does not flood the terminal.
const maxLineErrors = 100

// maxLine is the longest line an import reads, newline included (for CSV,
// the longest record, whose quoted fields may hold newlines). A result is
// one line of about 100 bytes, so a longer line is not one, and reading it
// whole could take any amount of memory: it is skipped unread, as a bad
// line.
const maxLine = 64 << 10

// errLineTooLong is the message of a line longer than maxLine.
var errLineTooLong = fmt.Errorf("line too long: more than %d KiB (each line is one result, of about 100 bytes)", maxLine>>10)

// maxQuoted is the most of a bad value that an error quotes: enough to
// recognise it, where the value may be most of a 64 KiB line.
const maxQuoted = 40

// brief quotes s as %q does, cut to its first maxQuoted bytes.
func brief(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

// ImportError lists the bad lines of an import; the good lines were kept.
type ImportError struct {
	Lines []LineError // at most maxLineErrors
	Total int         // every bad line
}

func (e *ImportError) Error() string {
	var b strings.Builder
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Error())
	}
	if more := e.Total - len(e.Lines); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more bad lines", more)
	}
	return b.String()
}

func (e *ImportError) add(file string, line int, format string, args ...any) {
	e.Total++
	if len(e.Lines) < maxLineErrors {
		e.Lines = append(e.Lines, LineError{file, line, fmt.Sprintf(format, args...)})
	}
}

// defaultImportBatch is how many results one import transaction holds: large
// enough that the per-transaction work is amortised, small enough that a
// prober writing beside an import waits well under a second for the write
// lock (about 0.2 s at 500,000 results a second). Beside a few statements
// per series to find what is stored and to rebuild its intervals, each
// transaction writes to the WAL again the last, partly filled page of every
// series it appends to, and the pages around it that B-tree splits move
// rows into: importing 3 M results of 100 series, 100,000 results a
// transaction instead of 50,000 wrote 22 % fewer bytes (WAL and
// checkpoints), in 24 % fewer writes.
const defaultImportBatch = 100_000

// maxBatchBytes bounds the text a batch holds: results of 100 bytes fill
// a batch by count long before, but lines of up to maxLine bytes each
// would make a batch of gigabytes, and an import holds two.
const maxBatchBytes = 4 << 20

// Import reads results from r, as JSON Lines or as CSV with a header row
// of the same column names, optionally gzipped, and records them in
// batches. The format is CSV when name ends in .csv (or .csv.gz) or the
// first byte is not '{'; gzip is recognised by its magic bytes. Bad lines
// are skipped and returned as an *ImportError naming name:line for each;
// the good lines are kept. A result stamped more than ClockSkew after now
// (the command's clock) is a bad line. Importing the same file again
// changes nothing. progress, if not nil, is called with the number of
// lines read so far.
//
// Reading and decoding run on a goroutine of their own, a batch ahead of
// the writes (and no more: an import holds two batches), so that an import
// uses two cores; the writes go through one connection tuned for a bulk
// load (see bulkSettings).
func (s *Store) Import(ctx context.Context, r io.Reader, name string, now time.Time, progress func(n int)) (ImportStats, error) {
	var st ImportStats
	// rctx stops the reading when ctx is done or a write fails: checked
	// at every read, even in a line being skipped, or in a file of bad
	// lines only, which fill no batch.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	br := bufio.NewReaderSize(ctxReader{rctx, r}, maxLine)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return st, &ReadError{File: name, Line: 1, Err: err}
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, maxLine)
	}
	isCSV := strings.HasSuffix(strings.TrimSuffix(strings.ToLower(name), ".gz"), ".csv")
	if !isCSV && !strings.HasSuffix(strings.TrimSuffix(strings.ToLower(name), ".gz"), ".jsonl") {
		head, _ := br.Peek(512)
		head = bytes.TrimLeft(head, " \t\r\n\ufeff")
		isCSV = len(head) > 0 && head[0] != '{'
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("import %s: %w", name, err)
	}
	defer conn.Close()
	restore, err := bulkSettings(ctx, conn)
	if err != nil {
		return st, fmt.Errorf("import %s: %w", name, err)
	}
	defer restore()

	// The reader fills one batch while the writer writes the other: it
	// decodes and groups (see group) several times faster than SQLite
	// writes, so a third batch, queued, would only hold memory.
	full := make(chan batch)
	free := make(chan []Result, 1)
	bad := &ImportError{}
	var readErr error
	var reader sync.WaitGroup
	size := cmp.Or(s.importBatch, defaultImportBatch)
	reader.Go(func() {
		defer close(full)
		rs := make([]Result, 0, size)
		rsBytes := 0 // the text of rs's results
		send := func() error {
			rsBytes = 0
			select {
			case full <- group(rs):
			case <-rctx.Done():
				return rctx.Err()
			}
			select {
			case rs = <-free:
				rs = rs[:0]
			default:
				rs = make([]Result, 0, size)
			}
			return nil
		}
		emit := func(line int, r Result, err error) error {
			st.Lines++
			if err == nil {
				err = s.check(r)
			}
			if err == nil {
				if err = CheckTime(r, now); err != nil {
					err = fmt.Errorf("%w (the clock that stamped it ran ahead: correct the time or drop the line)", err)
				}
			}
			if err != nil {
				st.Bad++
				bad.add(name, line, "%s", lineMessage(err))
			} else {
				rs = append(rs, r)
				rsBytes += len(r.Component) + len(r.Error) + len(r.Region)
			}
			if progress != nil && st.Lines%10000 == 0 {
				progress(st.Lines)
			}
			if len(rs) == size || rsBytes >= maxBatchBytes {
				return send()
			}
			return nil
		}
		if isCSV {
			readErr = readCSV(br, emit)
		} else {
			readErr = readJSONL(br, emit)
		}
		// The lines read before a file broke off are kept too.
		var re *ReadError
		if (readErr == nil || errors.As(readErr, &re)) && len(rs) > 0 {
			if err := send(); err != nil {
				readErr = err
			}
		}
	})
	var writeErr error
	for b := range full {
		if writeErr == nil {
			rs, err := s.record(ctx, conn, b)
			st.Imported += rs.inserted
			st.Duplicates += rs.duplicates
			st.Expired += rs.expired
			if err != nil {
				writeErr = err
				cancel() // stop reading
			}
		}
		clear(b.rs) // drop the strings it holds
		select {
		case free <- b.rs:
		default:
		}
	}
	reader.Wait()
	if progress != nil {
		progress(st.Lines)
	}
	var re *ReadError
	switch {
	case writeErr != nil:
		return st, fmt.Errorf("import %s: %w", name, writeErr)
	case ctx.Err() != nil:
		return st, fmt.Errorf("import %s: %w", name, ctx.Err())
	case errors.As(readErr, &re):
		re.File, re.Committed = name, st.Imported
		if bad.Total > 0 {
			return st, errors.Join(bad, re)
		}
		return st, re
	case readErr != nil:
		return st, fmt.Errorf("import %s: %w", name, readErr)
	case bad.Total > 0:
		return st, bad
	}
	return st, nil
}

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// bulkCheckpoint is the WAL size, in bytes, at which an import copies it
// into the store.
const bulkCheckpoint = 64 << 20

// bulkSettings tunes an import's connection for a bulk load and returns
// how to undo that before the connection goes back to the pool:
//   - a 16 MiB page cache instead of 2 MiB, so that a transaction's dirty
//     pages and the B-trees' inner pages stay in memory rather than
//     spilling to the WAL before the commit;
//   - temporary files in memory: the latency roll-up's multi-row upsert
//     keeps a statement journal, which would otherwise be a file. Only for
//     the import: an export's sort of every result must be able to spill
//     to disk;
//   - a checkpoint once the WAL holds 64 MiB rather than 4 MiB. Each
//     transaction rewrites the last pages of every series it appends to,
//     and a checkpoint copies (and, on a disk, syncs) each page once,
//     however often the WAL holds it: fewer checkpoints copy fewer pages.
//     The WAL file keeps that size until the last connection closes. The
//     setting counts pages, so it is worked out from the store's page
//     size, which depends on the herald that created it (see pageSize).
//
// Durability and locking stay as they are (WAL, synchronous=NORMAL, the
// write lock taken per transaction), so readers, a prober and a second
// import run beside it as before, and a killed import loses no committed
// transaction.
func bulkSettings(ctx context.Context, conn *sql.Conn) (func(), error) {
	var cache, temp, checkpoint, page int64
	for _, p := range []struct {
		name string
		v    *int64
	}{{"cache_size", &cache}, {"temp_store", &temp}, {"wal_autocheckpoint", &checkpoint}, {"page_size", &page}} {
		if err := conn.QueryRowContext(ctx, `PRAGMA `+p.name).Scan(p.v); err != nil {
			return nil, fmt.Errorf("read %s: %w", p.name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = %d`,
		bulkCheckpoint/page)); err != nil {
		return nil, fmt.Errorf("set bulk-load pragmas: %w", err)
	}
	return func() {
		// Even when ctx is done: the connection is going back to the pool.
		conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA cache_size = %d; PRAGMA temp_store = %d; PRAGMA wal_autocheckpoint = %d`,
			cache, temp, checkpoint))
	}, nil
}

// lineMessage drops the "record result: " prefix that check adds for Record.
func lineMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "record result: ")
}

// jsonResult has pointers for the required fields, to tell missing from
// zero.
type jsonResult struct {
	Component *string  `json:"component"`
	Time      *string  `json:"time"`
	OK        *bool    `json:"ok"`
	LatencyMS *float64 `json:"latency_ms"`
	Status    int      `json:"status"`
	Error     string   `json:"error"`
	Region    string   `json:"region"`
}

// readJSONL reads br, whose buffer holds maxLine bytes, a line at a time.
func readJSONL(br *bufio.Reader, emit func(int, Result, error) error) error {
	line := 0
	in := &interner{}
	skip := false // in a line that does not fit the buffer
	for {
		// ReadSlice does not copy, and returns at most a buffer.
		text, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !skip {
				skip = true
				line++
				if e := emit(line, Result{}, errLineTooLong); e != nil {
					return e
				}
			}
			continue
		}
		if skip {
			skip, text = false, nil // the long line's end
		}
		if err != nil && !errors.Is(err, io.EOF) {
			// The input broke off (a truncated gzip file): the line it
			// cut is not whole, and is not read.
			return &ReadError{Line: line + 1, Err: err}
		}
		if len(text) > 0 {
			line++
			text = bytes.TrimSpace(text)
			if line == 1 {
				text = bytes.TrimPrefix(text, []byte("\ufeff"))
			}
			if len(text) > 0 {
				r, perr := parseJSONLine(text, in)
				if e := emit(line, r, perr); e != nil {
					return e
				}
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

// parseJSONLine decodes one line: by decodeLine when it can, else (and for
// every error message) by encoding/json.
func parseJSONLine(text []byte, in *interner) (Result, error) {
	if r, ok := decodeLine(text, in); ok {
		return r, nil
	}
	return parseJSONLineSlow(text)
}

func parseJSONLineSlow(text []byte) (Result, error) {
	var j jsonResult
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		// Two of encoding/json's messages quote the input whole: a number
		// (of any length) that does not fit, and an unknown key.
		var te *json.UnmarshalTypeError
		switch key, unknown := strings.CutPrefix(err.Error(), `json: unknown field "`); {
		case errors.As(err, &te) && te.Field != "":
			return Result{}, fmt.Errorf("invalid JSON: %q must be %s", te.Field, jsonKind(te.Type))
		case errors.As(err, &te):
			return Result{}, errors.New("invalid JSON: " + oneObject)
		case unknown:
			return Result{}, fmt.Errorf("invalid JSON: json: unknown field %s (the fields are %s)", brief(strings.TrimSuffix(key, `"`)), strings.Join(csvColumns, ", "))
		}
		return Result{}, fmt.Errorf("invalid JSON: %v (%s)", err, oneObject)
	}
	if dec.More() {
		return Result{}, errors.New("more than one JSON value on the line")
	}
	switch {
	case j.Component == nil:
		return Result{}, errors.New(`missing "component"`)
	case j.Time == nil:
		return Result{}, errors.New(`missing "time"`)
	case j.OK == nil:
		return Result{}, errors.New(`missing "ok"`)
	}
	t, err := parseTime(*j.Time)
	if err != nil {
		return Result{}, err
	}
	r := Result{Component: *j.Component, Time: t, OK: *j.OK, Status: j.Status, Error: j.Error, Region: j.Region}
	if j.LatencyMS != nil {
		r.LatencyMS = *j.LatencyMS
	}
	return r, nil
}

const oneObject = `each line is one object: {"component", "time", "ok", "latency_ms", …}`

// jsonKind names what a field of jsonResult holds.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "a string"
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %s is not RFC 3339, such as 2026-11-28T15:00:00Z", brief(s))
	}
	return t, nil
}
