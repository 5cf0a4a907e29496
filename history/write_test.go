package history

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestImportOrder imports the same results in different ways: at once, in
// many small transactions (each appending to what is stored), shuffled
// (each filling in among what is stored), in two halves newest first, and
// with the whole file again on top. The roll-ups and the raw results must
// come out the same every time.
func TestImportOrder(t *testing.T) {
	file := sampleFile(t)
	lines := bytes.SplitAfter(file, []byte("\n"))
	shuffled := make([][]byte, len(lines))
	copy(shuffled, lines)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	half := len(lines) / 2
	// A duplicate within one transaction: the first copy is kept.
	withDup := append(append([][]byte{}, lines[:10]...), lines[5:]...)

	want := snapshot(t, importAll(t, 0, file))
	for _, tc := range []struct {
		name  string
		batch int
		files [][]byte
	}{
		{"small transactions in order", 97, [][]byte{file}},
		{"shuffled", 97, [][]byte{bytes.Join(shuffled, nil)}},
		{"shuffled in one transaction", 0, [][]byte{bytes.Join(shuffled, nil)}},
		{"newest half first", 500, [][]byte{bytes.Join(lines[half:], nil), bytes.Join(lines[:half], nil)}},
		{"twice", 300, [][]byte{file, file}},
		{"repeated lines", 0, [][]byte{bytes.Join(withDup, nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := snapshot(t, importAll(t, tc.batch, tc.files...)); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func importAll(tb testing.TB, batch int, files ...[]byte) *Store {
	tb.Helper()
	s := openTest(tb, sampleOpts)
	s.importBatch = batch
	for _, f := range files {
		if _, err := s.Import(context.Background(), bytes.NewReader(f), "sample.jsonl", importNow, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

func TestLatest(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	if _, ok, err := s.Latest(ctx, "api", at(60)); ok || err != nil {
		t.Fatalf("Latest of an empty store: %t, %v; want nothing", ok, err)
	}
	future := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	rs := []Result{
		{Component: "api", Region: "us", Time: at(5), OK: true},
		{Component: "api", Region: "eu", Time: at(7), OK: false},
		{Component: "api", Region: "ap", Time: at(7), OK: true},
		{Component: "api", Region: "", Time: at(6), OK: true},
		{Component: "api", Region: "us", Time: at(2), OK: true},
		{Component: "web", Region: "us", Time: at(9), OK: true},
		// Stamped far ahead by a host with a broken clock.
		{Component: "web", Region: "us", Time: future, OK: false},
		{Component: "web", Region: "zz", Time: future, OK: false},
		{Component: "db", Region: "us", Time: future, OK: true},
	}
	if err := s.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		component string
		until     time.Time
		want      Result
		ok        bool
	}{
		{"two regions equally new: the first by name", "api", at(60), rs[2], true},
		{"until between results", "api", at(6), rs[3], true},
		{"until exactly at a result", "api", at(5), rs[0], true},
		{"a future result in the same region", "web", at(60), rs[5], true},
		{"until at the future result", "web", future, rs[6], true},
		{"only a future result", "db", at(60), Result{}, false},
		{"an unknown component", "nope", at(60), Result{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := s.Latest(ctx, tc.component, tc.until)
			if err != nil || ok != tc.ok || got.Region != tc.want.Region || !got.Time.Equal(tc.want.Time) {
				t.Errorf("got %+v, %t, %v; want %+v, %t", got, ok, err, tc.want, tc.ok)
			}
		})
	}
}

// TestImportBesideProbe records probe-sized batches while an import runs
// on another handle, as `herald probe` and `herald import` would in two
// processes: both finish, and every result is stored once.
func TestImportBesideProbe(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	imp, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Close()
	imp.importBatch = 200
	prober, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer prober.Close()
	done := make(chan error, 1)
	go func() {
		_, err := imp.Import(ctx, bytes.NewReader(sampleFile(t)), "sample.jsonl", importNow, nil)
		done <- err
	}()
	// The prober's results are a day later than the file's.
	for m := range 50 {
		r := Result{Component: "api", Region: "eu", Time: at(float64(24*60 + m)), OK: true, LatencyMS: 5}
		if err := prober.Record(ctx, []Result{r}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := imp.db.QueryRow(`SELECT count(*) FROM results`).Scan(&n); err != nil || n != 24*60*4+50 {
		t.Errorf("%d results stored (%v), want %d", n, err, 24*60*4+50)
	}
}

// TestPruneEverySeries prunes a store of several components and regions,
// which Prune walks one series at a time.
func TestPruneEverySeries(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{Retention: time.Hour})
	var rs []Result
	for _, c := range []string{"api", "db", "web"} {
		for _, region := range []string{"", "eu", "us"} {
			for m := range 120 {
				rs = append(rs, Result{Component: c, Region: region, Time: at(float64(m)), OK: true})
			}
		}
	}
	if err := s.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	// now = minute 150: the horizon is minute 90, so minutes 90–119 stay.
	if err := s.Prune(ctx, at(150)); err != nil {
		t.Fatal(err)
	}
	var n, old int
	s.db.QueryRow(`SELECT count(*), count(CASE WHEN time < ? THEN 1 END) FROM results`, at(90).UnixMilli()).Scan(&n, &old)
	if n != 9*30 || old != 0 {
		t.Errorf("after prune %d results, %d before the horizon; want %d and 0", n, old, 9*30)
	}
}

// TestRecordStoresEveryField records results on both sides of what pack
// takes (a status of 0 to 1023, no error text) and reads the rows back:
// each column's value and SQLite type must be as written, packed or not.
func TestRecordStoresEveryField(t *testing.T) {
	epoch := time.UnixMilli(0).UTC()
	far := time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
	tests := []struct {
		name string
		r    Result
	}{
		{"ok, status 200", Result{Time: at(1), OK: true, LatencyMS: 84.25, Status: 200}},
		{"failed, no status", Result{Time: at(2), OK: false}},
		{"status 1023", Result{Time: at(3), OK: true, LatencyMS: 1, Status: 1023}},
		{"status 1024", Result{Time: at(4), OK: true, LatencyMS: 2, Status: 1024}},
		{"negative status", Result{Time: at(5), OK: false, Status: -1}},
		{"huge status", Result{Time: at(6), OK: true, Status: 1 << 40}},
		{"error text", Result{Time: at(7), OK: false, LatencyMS: 3000, Status: 503, Error: "bad gateway"}},
		{"the epoch", Result{Time: epoch, OK: true, LatencyMS: 0.5, Status: 204}},
		{"after the epoch, failed", Result{Time: epoch.Add(time.Millisecond), OK: false, Status: 1023}},
		{"year 9999", Result{Time: far, OK: true, LatencyMS: 1e9, Status: 599}},
		{"whole latency", Result{Time: at(8), OK: true, LatencyMS: 12, Status: 301}},
	}
	s := openTest(t, Options{})
	ctx := context.Background()
	rs := make([]Result, len(tests))
	for i, tt := range tests {
		rs[i] = tt.r
		rs[i].Component = "api"
	}
	if err := s.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			var ms, ok, status int64
			var latency float64
			var errText, types string
			err := s.db.QueryRow(`SELECT time, ok, latency_ms, status, error,
				typeof(time) || typeof(ok) || typeof(latency_ms) || typeof(status) || typeof(error)
				FROM results WHERE time = ?`, r.Time.UnixMilli()).Scan(&ms, &ok, &latency, &status, &errText, &types)
			if err != nil {
				t.Fatal(err)
			}
			wantOK := int64(0)
			if r.OK {
				wantOK = 1
			}
			got := fmt.Sprint(ms, ok, latency, status, errText, types)
			want := fmt.Sprint(r.Time.UnixMilli(), wantOK, r.LatencyMS, int64(r.Status), r.Error, "integerintegerrealintegertext")
			if got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

// TestImportBytesPerResult bounds what an import of the usual results (no
// error text, an HTTP status) allocates per result: binding each as five
// values rather than two (see pack) made it about 390 bytes, not 250.
func TestImportBytesPerResult(t *testing.T) {
	const n = 50_000
	var file []byte
	for i := range n {
		file = fmt.Appendf(file, `{"component":"api","time":%q,"ok":%t,"latency_ms":%d.5,"status":200,"error":"","region":"us"}`+"\n",
			at(float64(i)).Format(time.RFC3339), i%97 != 0, i%300)
	}
	s := openTest(t, sampleOpts)
	s.importBatch = 1000 // so that the batches' buffers are a small part
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	st, err := s.Import(context.Background(), bytes.NewReader(file), "r.jsonl", at(n), nil)
	runtime.ReadMemStats(&after)
	if err != nil || st.Imported != n {
		t.Fatalf("got %+v, %v; want %d results imported", st, err, n)
	}
	const limit = 300
	if got := (after.TotalAlloc - before.TotalAlloc) / n; got > limit {
		t.Errorf("got %d bytes allocated a result, want at most %d", got, limit)
	}
	// Two a result box its bound values; each statement costs a dozen
	// more, so the number of statements shows: stepping down from 128
	// rows by eighths (a series' 1,000 results of a batch in 21
	// statements, not 10) made it 2.70.
	if got, limit := float64(after.Mallocs-before.Mallocs)/n, 2.675; got > limit {
		t.Errorf("got %.3f allocations a result, want at most %.3f", got, limit)
	}
}

// TestImportCheckpointsLate: an import leaves its pages in the WAL until
// it holds 64 MiB (see bulkSettings), rather than copying them into the
// store every 4 MiB, and gives the connection back with SQLite's default.
func TestImportCheckpointsLate(t *testing.T) {
	const n = 100_000
	var file []byte
	for i := range n {
		file = fmt.Appendf(file, `{"component":"api","time":%q,"ok":true,"latency_ms":%d,"status":200}`+"\n",
			at(float64(i)).Format(time.RFC3339), i%300)
	}
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, sampleOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.importBatch = 500 // many transactions, each rewriting the last pages
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), bytes.NewReader(file), "r.jsonl", at(n), nil); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size() {
		t.Errorf("got a store file of %d bytes after the import, want %d: a checkpoint ran during it", after.Size(), before.Size())
	}
	if wal.Size() <= 4<<20 {
		t.Errorf("the WAL holds %d bytes, want more than 4 MiB (more frames than one checkpoint's worth)", wal.Size())
	}
	var checkpoint int
	if err := s.db.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&checkpoint); err != nil || checkpoint != 1000 {
		t.Errorf("got wal_autocheckpoint %d, %v after the import; want 1000", checkpoint, err)
	}
}

const importHelperEnv = "HERALD_HISTORY_IMPORT_HELPER_DB"

// TestImportHelperProcess is not a test: TestImportKilled runs the test
// binary again with importHelperEnv set, and this imports an endless
// file, a thousand results a transaction, until it is killed.
func TestImportHelperProcess(t *testing.T) {
	path := os.Getenv(importHelperEnv)
	if path == "" {
		t.Skip("helper process for TestImportKilled")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	s.importBatch = 1000
	r, w := io.Pipe()
	go func() {
		var line []byte
		for i := 0; ; i++ {
			line = fmt.Appendf(line[:0], `{"component":"api","time":%q,"ok":%t,"latency_ms":%d,"status":200}`+"\n",
				at(float64(i)).Format(time.RFC3339), (i/7)%3 != 0, i%500)
			w.Write(line)
		}
	}()
	_, err = s.Import(context.Background(), r, "endless.jsonl", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	fmt.Fprintln(os.Stderr, "the import ended:", err)
	os.Exit(3)
}

// TestImportKilled kills an import once its WAL holds more than SQLite's
// usual 4 MiB checkpoint (see bulkSettings) and checks that the store
// reopens whole: every transaction committed whole or not at all, and
// the roll-ups those of the results that survived.
func TestImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	path := filepath.Join(t.TempDir(), "history.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportHelperProcess$")
	cmd.Env = append(os.Environ(), importHelperEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 6<<20 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the WAL stayed under 6 MiB for 2 minutes; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Duration(rng.IntN(50)) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("got integrity_check %q, %v; want ok", check, err)
	}
	rows, err := s.db.Query(`SELECT ` + resultColumns + ` FROM ` + resultJoin + ` ORDER BY r.time`)
	if err != nil {
		t.Fatal(err)
	}
	var rs []Result
	for rows.Next() {
		r, err := scanResult(rows)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if len(rs) == 0 || len(rs)%1000 != 0 {
		t.Fatalf("got %d results after the kill, want a positive multiple of the 1,000 a transaction", len(rs))
	}
	fresh := openTest(t, Options{})
	if err := fresh.Record(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	end := float64(len(rs) + 2)
	if got, want := intervalsOf(t, s, "api", 0, end), intervalsOf(t, fresh, "api", 0, end); got != want {
		t.Errorf("got the roll-up\n%s\nafter the kill, want\n%s", got, want)
	}
	t.Logf("killed with %d results committed", len(rs))
}

// TestBulkCheckpointInBytes: an import's checkpoint comes at 64 MiB of WAL
// whatever the store's page size (wal_autocheckpoint counts pages): a new
// store's pages and SQLite's 4 KiB of an older one.
func TestBulkCheckpointInBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		page int // 0: a new store's
	}{
		{"new store", 0},
		{"4 KiB pages", 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			if tc.page != 0 {
				db, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				_, err = db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL; CREATE TABLE old (x)`, tc.page))
				db.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(path, sampleOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			conn, err := s.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			restore, err := bulkSettings(ctx, conn)
			if err != nil {
				t.Fatal(err)
			}
			defer restore()
			var pages, size int64
			if err := conn.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
				t.Fatal(err)
			}
			if got, want := pages*size, int64(64<<20); got != want {
				t.Errorf("got a checkpoint at %d pages of %d bytes, %d MiB; want %d MiB", pages, size, got>>20, want>>20)
			}
		})
	}
}

// TestImportKnowsSeriesIDs: a Store finds the ids of a series once, not
// in every transaction (two queries each): importing into series it has
// written to costs fewer allocations than the same import through another
// Store of the same file, which has written only to another series.
func TestImportKnowsSeriesIDs(t *testing.T) {
	const series = 50
	file := func(minute float64, components ...string) []byte {
		var b []byte
		for _, c := range components {
			b = fmt.Appendf(b, `{"component":%q,"time":%q,"ok":true,"latency_ms":20}`+"\n", c, at(minute).Format(time.RFC3339))
		}
		return b
	}
	var components []string
	for c := range series {
		components = append(components, fmt.Sprint("c", c))
	}
	path := filepath.Join(t.TempDir(), "history.db")
	open := func() *Store {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	mallocs := func(s *Store, in []byte) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := s.Import(context.Background(), bytes.NewReader(in), "r.jsonl", importNow, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs
	}
	writer, other := open(), open()
	mallocs(writer, file(0, components...))
	mallocs(other, file(0, "other"))
	known := mallocs(writer, file(1, components...))
	found := mallocs(other, file(2, components...))
	// Two queries a series take some 50 allocations; 20 leave room for
	// the noise of the runtime's and database/sql's own goroutines.
	if known+20*series > found {
		t.Errorf("got %d allocations importing into series the Store knows, want at least %d fewer than the %d of a Store that looks them up", known, 20*series, found)
	}
}

// TestImportSkipsExpired: the results of each series older than the
// horizon of the last Prune are counted as expired and not stored, and
// the rest are, whatever the order of the file.
func TestImportSkipsExpired(t *testing.T) {
	line := func(c string, minute float64) string {
		return fmt.Sprintf(`{"component":%q,"time":%q,"ok":true,"latency_ms":20}`+"\n", c, at(minute).Format(time.RFC3339))
	}
	for _, tt := range []struct {
		name           string
		lines          []string
		stored, expire int
	}{
		{"all expired", []string{line("api", 1), line("web", 2)}, 0, 2},
		{"none expired", []string{line("api", 60), line("web", 61)}, 2, 0},
		{"at the horizon", []string{line("api", 9), line("api", 10)}, 1, 1},
		{"mixed, out of order", []string{line("api", 70), line("web", 3), line("api", 5), line("web", 80), line("api", 11), line("web", 9)}, 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := sampleOpts
			opts.Retention = time.Hour
			s := openTest(t, opts)
			if err := s.Prune(context.Background(), at(70)); err != nil { // the horizon: minute 10
				t.Fatal(err)
			}
			st, err := s.Import(context.Background(), strings.NewReader(strings.Join(tt.lines, "")), "r.jsonl", importNow, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Imported != tt.stored || st.Expired != tt.expire {
				t.Errorf("got %d imported and %d expired, want %d and %d", st.Imported, st.Expired, tt.stored, tt.expire)
			}
		})
	}
}
