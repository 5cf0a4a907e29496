package history

import (
	"bytes"
	"context"
	"math/rand/v2"
	"path/filepath"
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
