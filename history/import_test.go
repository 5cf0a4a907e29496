package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// repeat reads as pattern repeated to n bytes, without holding them: a
// line far longer than the cap costs the test no memory.
type repeat struct {
	pattern string
	n, off  int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.off < r.n {
		k := copy(p[n:min(len(p), n+r.n-r.off)], r.pattern[r.off%len(r.pattern):])
		n += k
		r.off += k
	}
	return n, nil
}

// longInput is before, then n bytes of pattern, then after.
func longInput(before, pattern string, n int, after string) io.Reader {
	return io.MultiReader(strings.NewReader(before), &repeat{pattern: pattern, n: n}, strings.NewReader(after))
}

// TestImportLineTooLong imports lines far longer than maxLine, one after
// a good line and before others: each is reported as file:line: line too
// long, the lines around it are imported with their own line numbers, and
// the long line is never held in memory.
func TestImportLineTooLong(t *testing.T) {
	const long = 16 << 20 // bytes of the long line
	good := func(minute int) string {
		return fmt.Sprintf(`{"component":"api","time":%q,"ok":true}`+"\n", at(float64(minute)).Format(time.RFC3339))
	}
	goodCSV := func(minute int) string { return fmt.Sprintf("api,%s,true\n", at(float64(minute)).Format(time.RFC3339)) }
	tests := []struct {
		name, file string
		in         func() io.Reader
		want       []string // the bad lines
		imported   int
	}{
		{"JSON Lines", "r.jsonl", func() io.Reader {
			return longInput(good(0)+`{"component":"api","time":"`, "x", long, `","ok":true}`+"\n"+good(1)+"nope\n")
		}, []string{"r.jsonl:2: line too long", "r.jsonl:4: invalid JSON"}, 2},
		{"JSON Lines, the last line without a newline", "r.jsonl", func() io.Reader {
			return longInput(good(0), "x", long, "")
		}, []string{"r.jsonl:2: line too long"}, 1},
		{"CSV", "r.csv", func() io.Reader {
			return longInput("component,time,ok\n"+goodCSV(0)+"api,", "x", long, ",true\n"+goodCSV(1)+"api,noon,true\n")
		}, []string{"r.csv:3: line too long", `r.csv:5: time "noon" is not RFC 3339`}, 2},
		// A quoted field may hold newlines: a record of many short lines is
		// as long as one long line, and the lines after it keep their
		// numbers.
		{"CSV, a quoted field over many lines", "r.csv", func() io.Reader {
			return longInput("component,time,ok\n"+goodCSV(0)+`api,"`, "x\n", long, "\",true\n"+goodCSV(1)+"api,noon,true\n")
		}, []string{"r.csv:3: line too long", fmt.Sprintf(`r.csv:%d: time "noon" is not RFC 3339`, 3+long/2+2)}, 2},
		{"a CSV header", "r.csv", func() io.Reader {
			return longInput("component,time,ok,", "x", long, "\n"+goodCSV(0))
		}, []string{"r.csv:1: line too long"}, 0},
		{"a line just within the cap", "r.jsonl", func() io.Reader {
			return longInput(`{"component":"api","time":"2026-11-01T00:00:00Z","ok":false,"error":"`, "x", maxLine-100, `"}`+"\n")
		}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, sampleOpts)
			s.importBatch = 16 // so that the batches do not dwarf what is measured
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			st, err := s.Import(context.Background(), tt.in(), tt.file, importNow, nil)
			runtime.ReadMemStats(&after)
			var got []string
			var ie *ImportError
			if errors.As(err, &ie) {
				for _, l := range ie.Lines {
					got = append(got, l.Error())
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got bad lines %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("got bad line %q, want it to start %q", got[i], tt.want[i])
				}
			}
			if st.Imported != tt.imported {
				t.Errorf("got %d results imported, want %d", st.Imported, tt.imported)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("the import allocated %d MiB, want at most 4: the long line was held", alloc>>20)
			}
		})
	}
}

// TestImportQuotesAShortPrefix checks every message that quotes a bad
// value: a value of 60 KB (within the line cap) is quoted by its first
// maxQuoted bytes, never whole.
func TestImportQuotesAShortPrefix(t *testing.T) {
	x, digits := strings.Repeat("x", 60_000), strings.Repeat("1", 60_000)
	const header = "component,time,ok,latency_ms,status\n"
	tests := []struct {
		name, file, in, want string
	}{
		{"JSON time", "r.jsonl", `{"component":"api","time":"` + x + `","ok":true}`, `r.jsonl:1: time "xxxxxxxx`},
		{"JSON component", "r.jsonl", `{"component":"` + x + `","time":"2026-11-01T00:00:00Z","ok":true}`, `r.jsonl:1: unknown component "xxxx`},
		{"JSON unknown field", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"` + x + `":1}`, `r.jsonl:1: invalid JSON: json: unknown field "xxxx`},
		{"JSON status", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"status":` + digits + `}`, `r.jsonl:1: invalid JSON: "status"`},
		{"JSON latency", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"latency_ms":` + digits + `}`, `r.jsonl:1: invalid JSON: "latency_ms"`},
		{"JSON syntax", "r.jsonl", `{"component":"api",` + x, `r.jsonl:1: invalid JSON`},
		{"CSV column", "r.csv", "component,time,ok," + x + "\n", `r.csv:1: unknown CSV column "xxxx`},
		{"CSV time", "r.csv", header + "api," + x + ",true,1,200\n", `r.csv:2: time "xxxx`},
		{"CSV component", "r.csv", header + x + ",2026-11-01T00:00:00Z,true,1,200\n", `r.csv:2: unknown component "xxxx`},
		{"CSV ok", "r.csv", header + "api,2026-11-01T00:00:00Z," + x + ",1,200\n", `r.csv:2: ok "xxxx`},
		{"CSV latency", "r.csv", header + "api,2026-11-01T00:00:00Z,true," + x + ",200\n", `r.csv:2: latency_ms "xxxx`},
		{"CSV status", "r.csv", header + "api,2026-11-01T00:00:00Z,true,1," + digits + "\n", `r.csv:2: status "1111`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, sampleOpts)
			_, err := s.Import(context.Background(), strings.NewReader(tt.in), tt.file, importNow, nil)
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Lines) != 1 {
				t.Fatalf("got %.300v, want one bad line", err)
			}
			msg := ie.Lines[0].Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("got %.300q, want it to start %q", msg, tt.want)
			}
			if strings.Contains(msg, strings.Repeat("x", maxQuoted+1)) || strings.Contains(msg, strings.Repeat("1", maxQuoted+1)) || len(msg) > 300 {
				t.Errorf("got %d bytes, quoting more than %d bytes of the value: %.300q", len(msg), maxQuoted, msg)
			}
		})
	}
}

// TestImportTruncatedGzip imports a real gzip file cut in the middle: the
// error names the file and the line the data ran out on, and says how
// many results were committed, which are the whole lines before it;
// importing the whole file afterwards adds only the rest.
func TestImportTruncatedGzip(t *testing.T) {
	tests := []struct {
		name, file, header string
		line               func(minute int) string
	}{
		{"JSON Lines", "r.jsonl.gz", "", func(m int) string {
			return fmt.Sprintf(`{"component":"api","time":%q,"ok":true,"latency_ms":%d}`+"\n", at(float64(m)).Format(time.RFC3339), m%300)
		}},
		{"CSV", "r.csv.gz", "component,time,ok,latency_ms\n", func(m int) string {
			return fmt.Sprintf("api,%s,true,%d\n", at(float64(m)).Format(time.RFC3339), m%300)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw strings.Builder
			raw.WriteString(tt.header)
			const n = 20_000
			for m := range n {
				raw.WriteString(tt.line(m))
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write([]byte(raw.String()))
			zw.Close()
			path := filepath.Join(t.TempDir(), tt.file)
			cut := gz.Bytes()[:gz.Len()/2]
			if err := os.WriteFile(path, cut, 0o644); err != nil {
				t.Fatal(err)
			}
			// What of the file can be read: its whole lines are kept, and
			// the line after them is where it ran out.
			readable, err := io.ReadAll(gzipReader(t, cut))
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("reading the cut file: %v, want unexpected EOF", err)
			}
			whole := bytes.Count(readable, []byte("\n"))
			wantLine, wantCommitted := whole+1, whole
			if tt.header != "" {
				wantCommitted--
			}

			s := openTest(t, sampleOpts)
			s.importBatch = 997 // so that most are committed before the reader fails
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := s.Import(context.Background(), f, tt.file, importNow, nil)
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *ReadError", err)
			}
			if re.File != tt.file || re.Line != wantLine || re.Committed != wantCommitted || st.Imported != wantCommitted || st.Bad != 0 {
				t.Errorf("got %s:%d, %d committed, %+v; want %s:%d, %d committed, no bad line", re.File, re.Line, re.Committed, st, tt.file, wantLine, wantCommitted)
			}
			want := fmt.Sprintf("%s:%d: the file ends early, cut short (unexpected EOF); this import committed %d new results from the lines before it (importing is idempotent",
				tt.file, wantLine, wantCommitted)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got %q, want it to start %q", err, want)
			}
			st, err = s.Import(context.Background(), bytes.NewReader(gz.Bytes()), tt.file, importNow, nil)
			if err != nil || st.Imported != n-wantCommitted || st.Duplicates != wantCommitted {
				t.Errorf("importing the whole file: %+v, %v; want %d new and %d already there", st, err, n-wantCommitted, wantCommitted)
			}
		})
	}
}

func gzipReader(tb testing.TB, b []byte) io.Reader {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return zr
}

// errorLines reads as n result lines, each with an error text of its own
// of size bytes, made as they are read in one buffer.
type errorLines struct {
	n, size, i int
	buf, fill  []byte
	off        int
}

func (r *errorLines) Read(p []byte) (int, error) {
	if r.off == len(r.buf) {
		if r.i == r.n {
			return 0, io.EOF
		}
		if r.fill == nil {
			r.fill = bytes.Repeat([]byte("x"), r.size-8)
		}
		r.buf = fmt.Appendf(r.buf[:0], `{"component":"api","time":%q,"ok":false,"error":"%08d%s"}`+"\n",
			at(float64(r.i)).Format(time.RFC3339), r.i, r.fill)
		r.i, r.off = r.i+1, 0
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// TestImportLongLinesBoundMemory imports 120 MB of lines just within the
// cap, each with an error text of its own: a batch holds a bounded number
// of bytes, not of results, so the import never holds them all.
func TestImportLongLinesBoundMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 120 MB")
	}
	s := openTest(t, sampleOpts)
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	st, err := s.Import(context.Background(), &errorLines{n: 2000, size: 60_000}, "r.jsonl", importNow, nil)
	close(done)
	<-sampled
	if err != nil || st.Imported != 2000 {
		t.Fatalf("got %+v, %v; want 2000 results imported", st, err)
	}
	grew := int64(peak) - int64(m.HeapAlloc)
	t.Logf("the heap grew by %d MiB", grew>>20)
	if grew > 80<<20 {
		t.Errorf("the heap grew by %d MiB, want at most 80", grew>>20)
	}
}

// cancelAfter reads from r, and cancels once it has read n bytes.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestImportStopsWhenCancelled: an import stops soon after its context is
// cancelled (Ctrl-C), rather than at the end of the file, and says so,
// even one of a file of nothing but bad lines, which fill no batch.
func TestImportStopsWhenCancelled(t *testing.T) {
	for _, tt := range []struct{ name, file, pattern string }{
		{"JSON Lines", "r.jsonl", "nope\n"},
		{"CSV", "r.csv", "component,time,ok\n"},
		// Batches to write, cancelled while one is being written.
		{"results", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true}` + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, sampleOpts)
			s.importBatch = 1000
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in := &cancelAfter{r: &repeat{pattern: tt.pattern, n: 1 << 40}, n: 1 << 20, cancel: cancel}
			done := make(chan error, 1)
			go func() {
				_, err := s.Import(ctx, in, tt.file, importNow, nil)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("got %.200v, want context.Canceled", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the import did not stop within 30s of being cancelled")
			}
		})
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestImportReadsOneBatchAhead holds the store's write lock from another
// connection, so that the import's first transaction waits, and checks
// that meanwhile the import reads no more than the batch it waits to write
// and the next one (and the read buffer): an import holds two batches,
// which is what lets a batch be large.
func TestImportReadsOneBatchAhead(t *testing.T) {
	const batch, batches = 1000, 6
	var file []byte
	for i := range batch * batches {
		file = fmt.Appendf(file, `{"component":"api","time":%q,"ok":true,"latency_ms":%d,"status":200}`+"\n",
			at(float64(i)).Format(time.RFC3339), 100+i%500)
	}
	lineLen := int64(bytes.IndexByte(file, '\n') + 1)
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.importBatch = batch
	other, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.db.Begin() // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	in := &countingReader{r: bytes.NewReader(file)}
	type result struct {
		st  ImportStats
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := s.Import(context.Background(), in, "r.jsonl", importNow, nil)
		done <- result{st, err}
	}()
	// Wait until the reading stops: it must stop, at two batches or more.
	read, since := int64(-1), time.Now()
	for time.Since(since) < time.Second {
		if n := in.n.Load(); n != read {
			read, since = n, time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	want := 2*batch + maxLine/lineLen + 1
	if got := read / lineLen; got > want {
		t.Errorf("got %d lines read while the first batch waited for the write lock, want at most %d (two batches of %d and the read buffer)", got, want, batch)
	}
	if r := <-done; r.err != nil || r.st.Imported != batch*batches {
		t.Errorf("got %+v, %v; want %d results imported", r.st, r.err, batch*batches)
	}
}

// TestImportCancellableCostsNoMore: an import under a context that can be
// cancelled, as herald import's is, allocates no more than one under
// context.Background. For each statement under such a context the driver
// starts a goroutine and installs a progress handler, and database/sql
// starts a goroutine for each query: 4 % of an import's CPU.
func TestImportCancellableCostsNoMore(t *testing.T) {
	file := sampleFile(t)
	mallocs := func(ctx context.Context) uint64 {
		s := openTest(t, sampleOpts)
		s.importBatch = 97 // many transactions, many statements
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := s.Import(ctx, bytes.NewReader(file), "sample.jsonl", importNow, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plain, cancellable := mallocs(context.Background()), mallocs(ctx)
	if cancellable > plain+plain/20 {
		t.Errorf("got %d allocations under a context that can be cancelled, want at most 5 %% more than the %d under context.Background", cancellable, plain)
	}
}

// TestImportCost bounds what an import allocates for one more of
// something: the difference between importing a file with many of it and
// one with few, into the same Store, the least of five rounds, as the
// runtime's and database/sql's own goroutines allocate now and then.
func TestImportCost(t *testing.T) {
	// lines is n results of each of series components, one every step
	// minutes from minute from.
	lines := func(series int, from float64, n int, step float64) []byte {
		var b []byte
		for i := range n {
			stamp := at(from + float64(i)*step).Format(time.RFC3339)
			for c := range series {
				b = fmt.Appendf(b, `{"component":"c%d","time":%q,"ok":true,"latency_ms":%d}`+"\n", c, stamp, 20+i%5*30)
			}
		}
		return b
	}
	for _, tt := range []struct {
		name      string
		few, many func(round int) []byte
		more      uint64 // how many more of it many holds than few
		bytes     bool   // bytes allocated, else allocations
		want      uint64
	}{
		// The stored results around a series' new ones are read by one
		// query, not by a query and a second for any stored after them
		// (~150 before, ~125 since).
		{"allocations a series", func(r int) []byte { return lines(50, float64(2*r+1), 1, 1) },
			func(r int) []byte { return lines(100, float64(2*r+2), 1, 1) }, 50, false, 135},
		// A series' new results, kept for its intervals, are gathered into
		// a slice of their number, not grown to it (~236 before, ~173
		// since).
		{"bytes an appended result", func(r int) []byte { return lines(4, float64(10+6000*r), 2000, 1) },
			func(r int) []byte { return lines(4, float64(2010+6000*r), 4000, 1) }, 4 * 2000, true, 190},
		// An hour's latency counts are kept in a slice, sorted when
		// they are not in order already, not in a map (~886 before,
		// ~708 since).
		{"bytes a result an hour", func(r int) []byte { return lines(4, float64(-60*3000*(r+1)), 1000, 60) },
			func(r int) []byte { return lines(4, float64(-60*3000*(r+1)+60*1000), 2000, 60) }, 4 * 1000, true, 800},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, Options{})
			cost := func(in []byte) uint64 {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				if _, err := s.Import(context.Background(), bytes.NewReader(in), "r.jsonl", importNow, nil); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&after)
				if tt.bytes {
					return after.TotalAlloc - before.TotalAlloc
				}
				return after.Mallocs - before.Mallocs
			}
			cost(lines(100, 0, 1, 1)) // the series, known from then on
			got := uint64(math.MaxUint64)
			for round := range 5 {
				few := cost(tt.few(round))
				got = min(got, (cost(tt.many(round))-few)/tt.more)
			}
			if got > tt.want {
				t.Errorf("got %d, want at most %d", got, tt.want)
			}
		})
	}
}
