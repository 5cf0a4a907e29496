package render

import (
	"bytes"
	"crypto/sha256"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

// TestKeysStandForBytes renders the fixture at clocks on both sides of its
// incidents' and maintenance's changes of phase, and checks File.Key's
// promise: two renders of one path with the same Key write the same
// bytes. Pages whose Key did not change must exist, or the test proves
// nothing; the index has no Key, since it states the build time.
func TestKeysStandForBytes(t *testing.T) {
	r := newRenderer(t, "")
	clocks := []time.Time{
		fixtureNow,
		fixtureNow.Add(time.Minute),
		fixtureNow.Add(time.Hour),
		time.Date(2026, 12, 4, 5, 59, 0, 0, time.UTC), // before the maintenance
		time.Date(2026, 12, 4, 6, 30, 0, 0, time.UTC), // during it
		time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC),  // after it
		fixtureNow.AddDate(0, 1, 0),
	}
	type render struct {
		at   time.Time
		data []byte
	}
	seen := map[string]map[string]render{} // by path, then Key
	var same, keyed int
	for _, now := range clocks {
		for _, f := range r.Files(sitetest.Snapshot(t, fixtureDir, now)) {
			if f.Path == "index.html" && f.Key != "" {
				t.Errorf("at %s: index.html has a Key", now)
			}
			if f.Key == "" {
				continue
			}
			keyed++
			var b bytes.Buffer
			if err := f.Render(&b); err != nil {
				t.Fatalf("render %s: %v", f.Path, err)
			}
			if seen[f.Path] == nil {
				seen[f.Path] = map[string]render{}
			}
			prev, ok := seen[f.Path][f.Key]
			if !ok {
				seen[f.Path][f.Key] = render{now, b.Bytes()}
				continue
			}
			same++
			if !bytes.Equal(prev.data, b.Bytes()) {
				t.Errorf("%s: got other bytes at %s than at %s, with the same Key", f.Path, now, prev.at)
			}
		}
	}
	if same == 0 || same == keyed-len(seen) {
		t.Errorf("got %d renders of %d with a Key seen before: want some, but not all", same, keyed)
	}
}

// TestKeysHoldTheWords checks that every page with a Key gets another one
// in another language, since it is written in other words.
func TestKeysHoldTheWords(t *testing.T) {
	r := newRenderer(t, "")
	keys := func(tag string) map[string]string {
		snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
		snap.Site.Locale = i18n.For(tag)
		out := map[string]string{}
		for _, f := range r.Files(snap) {
			if f.Key != "" {
				out[f.Path] = f.Key
			}
		}
		return out
	}
	en, de := keys("en"), keys("de")
	if len(en) == 0 {
		t.Fatal("got no page with a Key")
	}
	for p, k := range en {
		if de[p] == k {
			t.Errorf("%s: got the same Key in en and de, want another", p)
		}
	}
}

// TestProbeKeyLatency checks the latency part of a component page's Key:
// every change of a count or an hour moves it, and 90 days of hours, most
// of whose buckets count nothing, take less than a byte a bucket to hash,
// not eight, nor one for each bucket that counts nothing (216,000 hours
// for 100 components were half of a timer rebuild's Keys).
func TestProbeKeyLatency(t *testing.T) {
	start := time.Date(2026, 8, 30, 0, 0, 0, 0, time.UTC)
	hours := func(edit func(h []history.LatencyHour) []history.LatencyHour) []history.LatencyHour {
		h := make([]history.LatencyHour, 90*24)
		for i := range h {
			h[i] = history.LatencyHour{Hour: start.Add(time.Duration(i) * time.Hour), Counts: make([]uint64, len(history.LatencyBuckets)+1)}
			h[i].Counts[3+i%2] = 58
			h[i].Counts[5] = 2
		}
		if edit != nil {
			h = edit(h)
		}
		return h
	}
	key := func(h []history.LatencyHour) (string, int) {
		k := &keys{now: start, loc: time.UTC, l: i18n.For("en")}
		k.probe(&status.Component{Monitored: true, Latency: h})
		sum := sha256.Sum256(k.buf)
		return string(sum[:]), len(k.buf)
	}
	base, size := key(hours(nil))
	if perBucket := float64(size) / float64(90*24*(len(history.LatencyBuckets)+1)); perBucket > 1 {
		t.Errorf("got %.2f bytes hashed a bucket, want at most 1", perBucket)
	}
	for _, tc := range []struct {
		name string
		edit func(h []history.LatencyHour) []history.LatencyHour
	}{
		{"one more result", func(h []history.LatencyHour) []history.LatencyHour { h[100].Counts[3]++; return h }},
		{"a result in the next bucket", func(h []history.LatencyHour) []history.LatencyHour { h[100].Counts[3]--; h[100].Counts[4]++; return h }},
		{"a large count", func(h []history.LatencyHour) []history.LatencyHour { h[7].Counts[0] = 1 << 40; return h }},
		{"an hour later", func(h []history.LatencyHour) []history.LatencyHour {
			h[len(h)-1].Hour = h[len(h)-1].Hour.Add(time.Hour)
			return h
		}},
		{"an hour fewer", func(h []history.LatencyHour) []history.LatencyHour { return h[1:] }},
		{"fewer buckets", func(h []history.LatencyHour) []history.LatencyHour { h[0].Counts = h[0].Counts[:5]; return h }},
		{"a count in a bucket that counted nothing", func(h []history.LatencyHour) []history.LatencyHour { h[9].Counts[3]--; h[9].Counts[0]++; return h }},
		{"a bucket past the 64th", func(h []history.LatencyHour) []history.LatencyHour {
			h[9].Counts = append(h[9].Counts, make([]uint64, 60)...)
			h[9].Counts[70] = 1
			return h
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := key(hours(tc.edit)); got == base {
				t.Errorf("got the same Key, want another")
			}
		})
	}
}

// BenchmarkProbeKey is the latency part of one monitored component's Key
// over 90 days, hashed: a timer rebuild does it for every component.
func BenchmarkProbeKey(b *testing.B) {
	start := time.Date(2026, 8, 30, 0, 0, 0, 0, time.UTC)
	h := make([]history.LatencyHour, 90*24)
	for i := range h {
		h[i] = history.LatencyHour{Hour: start.Add(time.Duration(i) * time.Hour), Counts: make([]uint64, len(history.LatencyBuckets)+1)}
		h[i].Counts[3+i%2] = 58
		h[i].Counts[5] = 2
	}
	k := &keys{now: start, loc: time.UTC, l: i18n.For("en")}
	c := &status.Component{Monitored: true, Latency: h}
	for b.Loop() {
		k.buf = k.buf[:0]
		k.probe(c)
		sha256.Sum256(k.buf)
	}
}

// TestPageKeysOnAnyCores checks that the Keys worked out on several cores
// are each page's own, as one core works them out, whatever the number of
// workers and however it divides the pages.
func TestPageKeysOnAnyCores(t *testing.T) {
	r := newRenderer(t, "")
	snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
	keysOf := func(procs int) map[string]string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		got := map[string]string{}
		for _, f := range r.Files(snap) {
			got[f.Path] = f.Key
		}
		return got
	}
	want := keysOf(1)
	for _, procs := range []int{2, 3, 7, 64} {
		t.Run(strconv.Itoa(procs), func(t *testing.T) {
			got := keysOf(procs)
			if len(got) != len(want) {
				t.Fatalf("got %d files, want %d", len(got), len(want))
			}
			for p, k := range want {
				if got[p] != k {
					t.Errorf("%s: got Key %x, want %x", p, got[p], k)
				}
			}
		})
	}
}

// pastDays are n days of a component before today (the day of at), all
// up, the first with an incident.
func pastDays(at time.Time, n int) []uptime.Day {
	days := make([]uptime.Day, n)
	for i := range days {
		date := time.Date(at.Year(), at.Month(), at.Day()-n+i, 0, 0, 0, 0, time.UTC)
		days[i] = uptime.Day{Date: date, Worst: incident.Operational, Summary: uptime.Summary{
			From: date, To: date.AddDate(0, 0, 1), Known: 24 * time.Hour, Measured: 24 * time.Hour,
			Uptime: 1, HasValue: true, Coverage: 1,
		}}
	}
	days[0].Incidents = []*incident.Incident{{Title: "Outage", Sum: [32]byte{1}}}
	return days
}

// TestPastDayKeyCoversTheDay changes each field of a day before today,
// one at a time, and checks that the component page's Key moves: a
// finished day's bar is keyed by its fields, not by its words, so a
// field that the key leaves out could change a bar and keep the page.
func TestPastDayKeyCoversTheDay(t *testing.T) {
	at := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	key := func(days []uptime.Day) string {
		k := &keys{now: at, loc: time.UTC, l: i18n.For("en")}
		k.probe(&status.Component{Days: days})
		return string(k.buf)
	}
	base := key(pastDays(at, 2))
	var walk func(name string, v reflect.Value, path []int)
	walk = func(name string, v reflect.Value, path []int) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			p := append(slices.Clone(path), i)
			if f.Anonymous {
				walk(name+f.Name+".", v.Field(i), p)
				continue
			}
			t.Run(name+f.Name, func(t *testing.T) {
				days := pastDays(at, 2)
				fv := reflect.ValueOf(&days[0]).Elem().FieldByIndex(p)
				switch x := fv.Addr().Interface().(type) {
				case *time.Time:
					*x = x.Add(time.Hour)
				case *time.Duration:
					*x += time.Second
				case *float64:
					*x /= 2
				case *bool:
					*x = !*x
				case *incident.Status:
					*x = incident.MajorOutage
				case *[]*incident.Incident:
					*x = append(*x, &incident.Incident{Title: "Another", Sum: [32]byte{2}})
				default:
					t.Fatalf("got a field of type %T: change it here, and in keys.pastDay", x)
				}
				if key(days) == base {
					t.Errorf("got the same Key, want another")
				}
			})
		}
	}
	walk("", reflect.ValueOf(uptime.Day{}), nil)
	t.Run("incident's translation", func(t *testing.T) {
		days := pastDays(at, 2)
		days[0].Incidents = []*incident.Incident{{Title: "Panne", Sum: [32]byte{3}}}
		if key(days) == base {
			t.Errorf("got the same Key, want another")
		}
	})
}

// TestPastDaysKeyedWithoutWords: the days before today add to a component
// page's Key without an allocation each, as their labels in words did (90
// days of 100 components at every edit).
func TestPastDaysKeyedWithoutWords(t *testing.T) {
	memtest.SkipUnderRace(t)
	at := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	k := &keys{now: at, loc: time.UTC, l: i18n.For("en")}
	allocs := func(n int) float64 {
		c := &status.Component{Days: pastDays(at, n)}
		k.probe(c) // grows k.buf
		return testing.AllocsPerRun(20, func() {
			k.buf = k.buf[:0]
			k.probe(c)
		})
	}
	if one, all := allocs(1), allocs(90); all > one {
		t.Errorf("got %v allocations for 90 days, %v for one; want no more", all, one)
	}
}
