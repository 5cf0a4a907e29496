package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/redact"
)

// Source is where a build reads probe history from: the embedded *Store,
// or *Prometheus.
type Source interface {
	Intervals(ctx context.Context, component string, from, to time.Time) ([]Interval, error)
	Latency(ctx context.Context, component string, from, to time.Time) ([]LatencyHour, error)
	// Latest is the newest result at or before until.
	Latest(ctx context.Context, component string, until time.Time) (Result, bool, error)
}

var (
	_ Source = (*Store)(nil)
	_ Source = (*Prometheus)(nil)
)

// MaxPoints is the most points per series Prometheus returns for one
// query_range request; longer ranges are split into several requests.
const MaxPoints = 11000

// ErrNoSelector is a component without a Prometheus selector.
var ErrNoSelector = errors.New("no prometheus selector")

// Prometheus reads probe history from a Prometheus-compatible HTTP API
// (Prometheus, Thanos, Mimir, VictoriaMetrics): probe_success from the
// blackbox exporter, or herald_probe_success, one series selector per
// component. Each series the selector matches counts as one region.
type Prometheus struct {
	base      string
	selectors map[string]string
	opts      Options
	client    *http.Client
}

// NewPrometheus reads from the API at baseURL (e.g. http://127.0.0.1:9090).
// selectors maps component ids to series selectors such as
// `probe_success{instance="https://api.example.com"}`; a selector that
// starts with '{' means probe_success with those labels. client may be nil.
func NewPrometheus(baseURL string, selectors map[string]string, opts Options, client *http.Client) *Prometheus {
	if client == nil {
		client = http.DefaultClient
	}
	return &Prometheus{base: strings.TrimRight(baseURL, "/"), selectors: selectors, opts: opts, client: client}
}

func (p *Prometheus) selector(component string) (string, error) {
	sel := strings.TrimSpace(p.selectors[component])
	if sel == "" {
		return "", fmt.Errorf("read prometheus history of %s: %w", component, ErrNoSelector)
	}
	if strings.HasPrefix(sel, "{") {
		sel = "probe_success" + sel
	}
	return sel, nil
}

// step is the component's probe interval, in whole seconds (at least 1).
func (p *Prometheus) step(component string) (time.Duration, ComponentOptions) {
	co, _ := p.opts.component(component)
	return max(co.Interval.Truncate(time.Second), time.Second), co
}

// Intervals evaluates the selector at every step (the component's probe
// interval) over [from, to). A sample of 1 is up, 0 is down, and a step
// without a sample is no data; each sample covers one step. Confirm and
// the region vote apply as for the embedded store.
func (p *Prometheus) Intervals(ctx context.Context, component string, from, to time.Time) ([]Interval, error) {
	sel, err := p.selector(component)
	if err != nil {
		return nil, err
	}
	if !from.Before(to) {
		return nil, nil
	}
	step, co := p.step(component)
	series, err := p.queryRange(ctx, sel, from, to, step)
	if err != nil {
		return nil, fmt.Errorf("read prometheus history of %s: %w", component, err)
	}
	var regions [][]msInterval
	for _, ss := range series {
		ps := make([]point, 0, len(ss))
		for _, s := range ss {
			switch s.v {
			case 1:
				ps = append(ps, point{s.t, Up})
			case 0:
				ps = append(ps, point{s.t, Down})
			}
		}
		regions = append(regions, buildIntervals(ps, NoData, step.Milliseconds(), co.Confirm, math.MaxInt64))
	}
	return toIntervals(combine(regions, from.UnixMilli(), to.UnixMilli())), nil
}

// durationQuery turns a success selector into the matching duration
// query, restricted to successful probes; "" when there is none.
func durationQuery(sel string) string {
	name, labels := sel, ""
	if i := strings.IndexByte(sel, '{'); i >= 0 {
		name, labels = sel[:i], sel[i:]
	}
	var dur string
	switch strings.TrimSpace(name) {
	case "probe_success":
		dur = "probe_duration_seconds"
	case "herald_probe_success":
		dur = "herald_probe_duration_seconds"
	default:
		return ""
	}
	return fmt.Sprintf("%s%s and %s == 1", dur, labels, sel)
}

// Latency builds hourly histograms from probe_duration_seconds (or
// herald_probe_duration_seconds) with the same labels, sampled at every
// step where the probe succeeded. It is nil when the series do not exist.
func (p *Prometheus) Latency(ctx context.Context, component string, from, to time.Time) ([]LatencyHour, error) {
	sel, err := p.selector(component)
	if err != nil {
		return nil, err
	}
	q := durationQuery(sel)
	if q == "" || !from.Before(to) {
		return nil, nil
	}
	step, _ := p.step(component)
	series, err := p.queryRange(ctx, q, from, to, step)
	if err != nil {
		return nil, fmt.Errorf("read prometheus latency of %s: %w", component, err)
	}
	byHour := map[int64][]uint64{}
	for _, ss := range series {
		for _, s := range ss {
			if math.IsNaN(s.v) || s.v < 0 {
				continue
			}
			h := floorDiv(s.t, hourMS) * hourMS
			if byHour[h] == nil {
				byHour[h] = make([]uint64, len(LatencyBuckets)+1)
			}
			byHour[h][bucketOf(s.v*1000)]++
		}
	}
	out := make([]LatencyHour, 0, len(byHour))
	for h, c := range byHour {
		out = append(out, LatencyHour{Hour: time.UnixMilli(h).UTC(), Counts: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hour.Before(out[j].Hour) })
	return out, nil
}

// Latest returns the newest sample at or before until of any series the
// selector matches, within Prometheus's lookback (5 minutes by default),
// evaluated at Prometheus's own clock.
func (p *Prometheus) Latest(ctx context.Context, component string, until time.Time) (Result, bool, error) {
	sel, err := p.selector(component)
	if err != nil {
		return Result{}, false, err
	}
	vals, err := p.query(ctx, sel)
	if err != nil {
		return Result{}, false, fmt.Errorf("read prometheus latest of %s: %w", component, err)
	}
	stamps, err := p.query(ctx, "timestamp("+sel+")")
	if err != nil {
		return Result{}, false, fmt.Errorf("read prometheus latest of %s: %w", component, err)
	}
	var best Result
	found := false
	for key, v := range vals {
		ts, ok := stamps[key]
		if !ok {
			continue
		}
		t := time.UnixMilli(int64(math.Round(ts.v * 1000))).UTC()
		if t.After(until) {
			continue
		}
		if !found || t.After(best.Time) {
			best = Result{Component: component, Time: t, OK: v.v == 1, Region: ts.region}
			found = true
		}
	}
	return best, found, nil
}

type sample struct {
	t int64 // Unix ms
	v float64
}

// apiResponse is Prometheus's response envelope.
type apiResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"` // matrix
			Value  [2]any            `json:"value"`  // vector
		} `json:"result"`
	} `json:"data"`
}

// seriesKey identifies a series by its labels apart from the metric name,
// so timestamp(x) and x line up.
func seriesKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "__name__" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, m[k])
	}
	return b.String()
}

// queryRange runs query over [from, to) at step, in as many requests as
// MaxPoints requires, and returns each series' samples in time order. The
// evaluation times are multiples of step, so they do not depend on how
// the range is split.
func (p *Prometheus) queryRange(ctx context.Context, query string, from, to time.Time, step time.Duration) (map[string][]sample, error) {
	stepMS := step.Milliseconds()
	start := floorDiv(from.UnixMilli()+stepMS-1, stepMS) * stepMS // first multiple ≥ from
	last := floorDiv(to.UnixMilli()-1, stepMS) * stepMS           // last multiple < to
	out := map[string][]sample{}
	for cs := start; cs <= last; {
		ce := min(cs+int64(MaxPoints-1)*stepMS, last)
		v := url.Values{}
		v.Set("query", query)
		v.Set("start", formatSeconds(cs))
		v.Set("end", formatSeconds(ce))
		v.Set("step", strconv.FormatFloat(step.Seconds(), 'f', -1, 64))
		resp, err := p.get(ctx, "/api/v1/query_range", v)
		if err != nil {
			return nil, err
		}
		if resp.Data.ResultType != "matrix" {
			return nil, fmt.Errorf("query %s: result type %q, want matrix", query, resp.Data.ResultType)
		}
		for _, r := range resp.Data.Result {
			key := seriesKey(r.Metric)
			for _, pair := range r.Values {
				s, err := parseSample(pair)
				if err != nil {
					return nil, fmt.Errorf("query %s: %w", query, err)
				}
				out[key] = append(out[key], s)
			}
		}
		cs = ce + stepMS
	}
	return out, nil
}

type instant struct {
	v      float64
	region string
}

func (p *Prometheus) query(ctx context.Context, query string) (map[string]instant, error) {
	v := url.Values{}
	v.Set("query", query)
	resp, err := p.get(ctx, "/api/v1/query", v)
	if err != nil {
		return nil, err
	}
	if resp.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %s: result type %q, want vector", query, resp.Data.ResultType)
	}
	out := map[string]instant{}
	for _, r := range resp.Data.Result {
		s, err := parseSample(r.Value)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", query, err)
		}
		out[seriesKey(r.Metric)] = instant{s.v, r.Metric["region"]}
	}
	return out, nil
}

func formatSeconds(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

func parseSample(pair [2]any) (sample, error) {
	ts, ok := pair[0].(float64)
	str, ok2 := pair[1].(string)
	if !ok || !ok2 {
		return sample{}, fmt.Errorf("parse sample %v: want [unix seconds, \"value\"]", pair)
	}
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return sample{}, fmt.Errorf("parse sample %v: %w", pair, err)
	}
	return sample{int64(math.Round(ts * 1000)), v}, nil
}

func (p *Prometheus) get(ctx context.Context, path string, v url.Values) (*apiResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path+"?"+v.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	res, err := p.client.Do(req)
	if err != nil {
		// net/http's error holds the URL, with any user name in it.
		return nil, fmt.Errorf("query prometheus: %w", redact.Error(err, redact.URL))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("read prometheus response: %w", err)
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode prometheus response (HTTP %d): %w", res.StatusCode, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query prometheus: %s: %s (HTTP %d)", r.ErrorType, r.Error, res.StatusCode)
	}
	return &r, nil
}
