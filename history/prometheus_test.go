package history

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePrometheus answers query_range and query the way Prometheus does
// (the same JSON envelope and sample encoding), from a function of time,
// and refuses more than 11,000 points per series as Prometheus does. The
// test against a real Prometheus lives in the end-to-end suite (e2e/).
type fakePrometheus struct {
	t        *testing.T
	value    func(series string, t float64) (string, bool) // false: no sample
	series   []string
	mu       sync.Mutex
	requests int
	queries  []string
}

func (f *fakePrometheus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.requests++
	f.queries = append(f.queries, q.Get("query"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fail := func(msg string) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":%q}`, msg)
	}
	switch r.URL.Path {
	case "/api/v1/query_range":
		start, _ := strconv.ParseFloat(q.Get("start"), 64)
		end, _ := strconv.ParseFloat(q.Get("end"), 64)
		step, _ := strconv.ParseFloat(q.Get("step"), 64)
		if n := int((end-start)/step) + 1; n > 11000 {
			f.t.Errorf("request for %d points", n)
			fail("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
			return
		}
		var res []string
		for _, s := range f.series {
			var vals []string
			for t := start; t <= end; t += step {
				if v, ok := f.value(s, t); ok {
					vals = append(vals, fmt.Sprintf("[%s,%q]", strconv.FormatFloat(t, 'f', -1, 64), v))
				}
			}
			if len(vals) > 0 {
				res = append(res, fmt.Sprintf(`{"metric":{"__name__":"probe_success","instance":"api","region":%q},"values":[%s]}`, s, strings.Join(vals, ",")))
			}
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[%s]}}`, strings.Join(res, ","))
	case "/api/v1/query":
		now := 1764342000.0 // 2025-11-28T15:00:00Z, the evaluation time
		var res []string
		for _, s := range f.series {
			v := "1"
			if strings.HasPrefix(q.Get("query"), "timestamp(") {
				v = "1764341990.5"
			}
			res = append(res, fmt.Sprintf(`{"metric":{"instance":"api","region":%q},"value":[%g,%q]}`, s, now, v))
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[%s]}}`, strings.Join(res, ","))
	default:
		http.NotFound(w, r)
	}
}

func TestPrometheusChunking(t *testing.T) {
	to := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	from := to.Add(-90 * 24 * time.Hour)
	downFrom, downTo := from.Add(10*24*time.Hour), from.Add(10*24*time.Hour+30*time.Minute)
	gapFrom, gapTo := from.Add(40*24*time.Hour), from.Add(40*24*time.Hour+time.Hour)
	f := &fakePrometheus{t: t, series: []string{"us"}, value: func(_ string, ts float64) (string, bool) {
		at := time.UnixMilli(int64(ts * 1000))
		switch {
		case !at.Before(gapFrom) && at.Before(gapTo):
			return "", false
		case !at.Before(downFrom) && at.Before(downTo):
			return "0", true
		}
		return "1", true
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	p := NewPrometheus(srv.URL+"/", map[string]string{"api": `{instance="api"}`},
		Options{Components: map[string]ComponentOptions{"api": {Interval: 15 * time.Second, Confirm: 2}}}, srv.Client())
	got, err := p.Intervals(context.Background(), "api", from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []Interval{
		{from, downFrom, Up}, {downFrom, downTo, Down}, {downTo, gapFrom, Up}, {gapFrom, gapTo, NoData}, {gapTo, to, Up},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("intervals:\n got %v\nwant %v", got, want)
	}
	// 90 days at 15 s is 518,400 points: 48 requests of at most 11,000.
	if wantReq := int(math.Ceil(90 * 24 * 3600 / 15.0 / 11000)); f.requests != wantReq {
		t.Errorf("%d requests, want %d", f.requests, wantReq)
	}
	if f.queries[0] != `probe_success{instance="api"}` {
		t.Errorf("query %q", f.queries[0])
	}
}

func TestPrometheusRegionsAndLatency(t *testing.T) {
	from := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	to := from.Add(2 * time.Hour)
	f := &fakePrometheus{t: t, series: []string{"eu", "us", "ap"}}
	f.value = func(series string, ts float64) (string, bool) {
		at := time.UnixMilli(int64(ts * 1000))
		// eu and us (a majority) are down for 10 minutes from 12:30; only eu
		// (a minority) from 13:00.
		if at.Sub(from) >= 30*time.Minute && at.Sub(from) < 40*time.Minute && series != "ap" {
			return "0", true
		}
		if at.Sub(from) >= 60*time.Minute && at.Sub(from) < 70*time.Minute && series == "eu" {
			return "0", true
		}
		return "1", true
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	p := NewPrometheus(srv.URL, map[string]string{"api": `herald_probe_success{instance="api"}`}, Options{}, nil)
	got, err := p.Intervals(context.Background(), "api", from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []Interval{{from, from.Add(30 * time.Minute), Up}, {from.Add(30 * time.Minute), from.Add(40 * time.Minute), Down}, {from.Add(40 * time.Minute), to, Up}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("intervals:\n got %v\nwant %v", got, want)
	}
	f.queries = nil
	if _, err := p.Latency(context.Background(), "api", from, to); err != nil {
		t.Fatal(err)
	}
	if want := `herald_probe_duration_seconds{instance="api"} and herald_probe_success{instance="api"} == 1`; len(f.queries) != 1 || f.queries[0] != want {
		t.Errorf("latency queries %q, want %q", f.queries, want)
	}
	latest, ok, err := p.Latest(context.Background(), "api", to)
	if err != nil || !ok || !latest.OK || latest.Time.UnixMilli() != 1764341990500 {
		t.Errorf("Latest = %+v, %t, %v", latest, ok, err)
	}
	// A sample after until, as from a host whose clock ran ahead, is not
	// the newest.
	if latest, ok, err := p.Latest(context.Background(), "api", time.UnixMilli(1764341990500-1)); ok || err != nil {
		t.Errorf("Latest before the only sample = %+v, %t, %v; want none", latest, ok, err)
	}
	if _, err := p.Intervals(context.Background(), "nope", from, to); err == nil {
		t.Error("a component without a selector: no error")
	}
}

func TestPrometheusLatencyHistogram(t *testing.T) {
	from := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Prometheus's exact response for a matrix with two samples.
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": []any{
			map[string]any{"metric": map[string]string{"instance": "api"}, "values": [][]any{
				{float64(from.Unix()), "0.040"}, {float64(from.Unix() + 60), "0.120"},
			}},
		}}})
	}))
	defer srv.Close()
	p := NewPrometheus(srv.URL, map[string]string{"api": `probe_success{instance="api"}`}, Options{}, nil)
	hours, err := p.Latency(context.Background(), "api", from, from.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) != 1 || hours[0].Counts[bucketOf(40)] != 1 || hours[0].Counts[bucketOf(120)] != 1 {
		t.Errorf("hours = %v", hours)
	}
}

// TestPrometheusErrorKeepsCredentials: the API's URL may carry basic-auth
// credentials; an unreachable API's error names the host without them.
func TestPrometheusErrorKeepsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close() // nothing listens there now
	p := NewPrometheus("http://promuser:PROMPASS@"+host, map[string]string{"api": `probe_success{instance="api"}`}, Options{}, nil)
	from := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	_, err := p.Intervals(context.Background(), "api", from, from.Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), host) {
		t.Fatalf("got %v, want an error naming %s", err, host)
	}
	for _, s := range []string{"promuser", "PROMPASS"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("got %q, which holds %q", err, s)
		}
	}
}
