package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/notify"
)

// notMeasurable stands for a budget below uptime.min_coverage.
const notMeasurable = -1

// burnSnap is the site's snapshot at now, its component api given an SLO
// of 99.9 % over window ("month" or "30d") of which pct percent of the
// budget is spent, as slo.Evaluate computes it from the window's uptime.
func burnSnap(tb testing.TB, dir string, now time.Time, window string, pct float64) *status.Snapshot {
	tb.Helper()
	cfg, ins := sitetest.Load(tb, dir)
	snap := status.New(cfg, ins, now)
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	if window != config.Month {
		start = time.Date(now.Year(), now.Month(), now.Day()-29, 0, 0, 0, 0, time.UTC)
		end = now
	}
	allowed := 0.001 * float64(end.Sub(start))
	s := uptime.Summary{From: start, To: now, Known: now.Sub(start), Measured: now.Sub(start), HasValue: true, Coverage: 1}
	if pct == notMeasurable {
		s.Sparse = true
	} else {
		s.Down = time.Duration(math.Round(pct / 100 * allowed))
	}
	s.Uptime = 1 - float64(s.Down)/float64(s.Known)
	b := slo.Evaluate(0.999, s, end)
	b.Window = window
	snap.Component("api").SLO = &b
	return snap
}

// observeBurns observes snap with a new Notifier, as after a restart, and
// returns the thresholds of the slo.burn events it recorded, and whether
// it was the baseline.
func observeBurns(tb testing.TB, dir string, snap *status.Snapshot) ([]int, bool) {
	tb.Helper()
	cfg, _ := sitetest.Load(tb, dir)
	n, err := notify.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := n.Observe(ctx, snap)
	if err != nil {
		tb.Fatal(err)
	}
	got := []int{}
	for _, ev := range res.Events {
		if ev.Type == notify.SLOBurn {
			got = append(got, ev.SLO.Threshold)
		}
	}
	return got, res.Baseline
}

// TestSLOBurnThresholds: from a baseline with no budget spent, one publish
// with each share spent sends the highest threshold crossed, once; the
// same budget after a restart sends nothing.
func TestSLOBurnThresholds(t *testing.T) {
	start := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		pct  float64
		want []int
	}{
		{"49 %", 49, []int{}},
		{"50 %", 50, []int{50}},
		{"99 %", 99, []int{50}},
		{"100 %", 100, []int{100}},
		{"130 %", 130, []int{100}},
		{"not measurable", notMeasurable, []int{}},
	}
	for _, window := range []string{config.Month, "30d"} {
		for _, tt := range tests {
			t.Run(window+"/"+tt.name, func(t *testing.T) {
				dir := writeSite(t, "json:http://127.0.0.1:9/")
				if _, base := observeBurns(t, dir, burnSnap(t, dir, start, window, 0)); !base {
					t.Fatal("got no baseline on the first run")
				}
				at := start.Add(time.Hour)
				if got, _ := observeBurns(t, dir, burnSnap(t, dir, at, window, tt.pct)); !slices.Equal(got, tt.want) {
					t.Errorf("got thresholds %v, want %v", got, tt.want)
				}
				if got, _ := observeBurns(t, dir, burnSnap(t, dir, at.Add(time.Hour), window, tt.pct)); len(got) > 0 {
					t.Errorf("after a restart, got thresholds %v sent again, want none", got)
				}
			})
		}
	}
}

// TestSLOBurnSequence follows one component's budget publish by publish,
// each through a new Notifier on the same state.
func TestSLOBurnSequence(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 12, 0, 0, 0, time.UTC) }
	type step struct {
		at   time.Time
		pct  float64
		want []int
	}
	tests := []struct {
		name   string
		window string
		steps  []step
	}{
		{"month: each threshold once, a new month re-arms", config.Month, []step{
			{day(11, 2), 0, nil}, // baseline
			{day(11, 10), 50, []int{50}},
			{day(11, 12), 60, []int{}},
			{day(11, 20), 100, []int{100}},
			{day(11, 25), 120, []int{}},
			{day(12, 1), 10, []int{}},
			{day(12, 3), 55, []int{50}},
		}},
		{"30d: no flapping around a threshold, re-armed below 40 %", "30d", []step{
			{day(11, 2), 0, nil},
			{day(11, 3), 55, []int{50}},
			{day(11, 4), 45, []int{}},
			{day(11, 5), 52, []int{}},
			{day(11, 6), 35, []int{}},
			{day(11, 7), 51, []int{50}},
			{day(11, 8), 100, []int{100}},
			{day(11, 9), 95, []int{}},
			{day(11, 10), 101, []int{}},
			{day(11, 11), 80, []int{}},
			{day(11, 12), 100, []int{100}},
		}},
		{"30d: not measurable keeps what was held", "30d", []step{
			{day(11, 2), 0, nil},
			{day(11, 3), 60, []int{50}},
			{day(11, 4), notMeasurable, []int{}},
			{day(11, 5), 60, []int{}},
		}},
		{"30d: all at once, then back to half, tells no half", "30d", []step{
			{day(11, 2), 0, nil},
			{day(11, 3), 120, []int{100}},
			{day(11, 4), 80, []int{}},
		}},
		{"baseline above a threshold sends nothing for it later", "30d", []step{
			{day(11, 2), 70, nil},
			{day(11, 3), 70, []int{}},
			{day(11, 4), 100, []int{100}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSite(t, "json:http://127.0.0.1:9/")
			for i, s := range tt.steps {
				got, base := observeBurns(t, dir, burnSnap(t, dir, s.at, tt.window, s.pct))
				if i == 0 {
					if !base || len(got) > 0 {
						t.Fatalf("first run: got baseline %v and %v, want a baseline sending nothing", base, got)
					}
					continue
				}
				if !slices.Equal(got, s.want) {
					t.Errorf("%s at %.0f %%: got thresholds %v, want %v", s.at.Format("Jan 2"), s.pct, got, s.want)
				}
			}
		})
	}
}

// TestSLOBurnHeadline: the headline says the share, the window and the
// minutes as the component page prints them, in the locale's words and
// numbers.
func TestSLOBurnHeadline(t *testing.T) {
	tests := []struct {
		name, locale, window string
		pct                  float64
		want                 string
	}{
		{"half of a month", "en", config.Month, 50, "API has used half of its error budget for November (21.6 of 43.2 min)"},
		{"all of a month", "en", config.Month, 130, "API has used all of its error budget for November (56.2 of 43.2 min)"},
		{"half of 30 days", "en", "30d", 50, "API has used half of its error budget over the last 30 days (21.3 of 42.5 min)"},
		{"half of a month in de", "de", config.Month, 50, "API hat die Hälfte des Fehlerbudgets für November verbraucht (21,6 von 43,2 Min.)"},
		{"all of 30 days in fr", "fr", "30d", 130, "API a consommé tout son budget d’erreur sur les 30 derniers jours (55,3 sur 42,5 min)"},
		{"half of a month in ja", "ja", config.Month, 50, "APIは11月のエラーバジェットの半分を使いました（21.6/43.2分）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSite(t, "json:http://127.0.0.1:9/")
			at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
			observeBurns(t, dir, burnSnap(t, dir, at, tt.window, 0))
			cfg, _ := sitetest.Load(t, dir)
			n, err := notify.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := n.Observe(context.Background(), burnSnap(t, dir, at.Add(time.Hour), tt.window, tt.pct))
			if err != nil || len(res.Events) != 1 {
				t.Fatalf("got %d events, %v; want one slo.burn", len(res.Events), err)
			}
			if got := notify.Headline(i18n.For(tt.locale), res.Events[0]); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.locale != "en" {
				return
			}
			w := burnSnap(t, dir, at.Add(time.Hour), tt.window, tt.pct).Component("api").SLO.Words()
			if want := fmt.Sprintf("(%s of %s)", w.Used[:len(w.Used)-4], w.Allowed); !strings.Contains(tt.want, want) {
				t.Errorf("got the page's words %s, which the headline %q does not show", want, tt.want)
			}
		})
	}
}

// TestChatSLOBurn sends an slo.burn to the json format and every chat
// format through a stand-in, checks each request against its format's
// schema, and its whole body against a golden file.
func TestChatSLOBurn(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	dir := chatSite(t, srv.URL, "Acme Status", "API", plainIncident)
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	observeBurns(t, dir, burnSnap(t, dir, at, config.Month, 0))
	cfg, _ := sitetest.Load(t, dir)
	n, err := notify.New(cfg, notify.WithRetry(1, time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := n.Observe(ctx, burnSnap(t, dir, at.Add(time.Hour), config.Month, 50)); err != nil {
		t.Fatal(err)
	}
	if err := n.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	checkSchemas(t, rec)
	hooks := append([]struct{ format, path, extra string }{{"json", "/json", ""}}, chatHooks...)
	for _, h := range hooks {
		t.Run(h.format, func(t *testing.T) {
			r := rec.find(t, sentPath(h.format, h.path), string(notify.SLOBurn))
			if !bytes.Contains(r.body, []byte("https://status.example.com/components/api/")) {
				t.Errorf("got %s, want a link to the component's page", r.body)
			}
			checkGolden(t, r, filepath.Join("testdata", h.format+"-slo.golden"))
		})
	}
}

// TestEmailSLOBurn mails an slo.burn through a real SMTP server: its
// subject is the headline, and both parts link to the component's page.
func TestEmailSLOBurn(t *testing.T) {
	srv, tc := startSMTP(t, smtpOptions{startTLS: true})
	dir := mailSite(t, emailYAML(srv.addr, ""))
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	observeBurns(t, dir, burnSnap(t, dir, at, config.Month, 0))
	cfg, _ := sitetest.Load(t, dir)
	n, err := notify.New(cfg, notify.WithRetry(1, time.Millisecond, time.Millisecond), notify.WithTLSConfig(tc))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := n.Observe(ctx, burnSnap(t, dir, at.Add(time.Hour), config.Month, 100)); err != nil {
		t.Fatal(err)
	}
	if err := n.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := parseMail(t, msgs[0])
	const headline = "API has used all of its error budget for November (43.2 of 43.2 min)"
	const page = "https://status.example.com/components/api/"
	tests := []struct{ name, got, want string }{
		{"subject", m.get(t, "Subject"), headline},
		{"text headline", m.text, headline},
		{"text budget", m.text, "Budget left: 0.0 min · Target: 99.9%"},
		{"text link", m.text, page},
		{"html link", m.html, `<a href="` + page + `">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.got, tt.want) {
				t.Errorf("got %q, want it to hold %q", tt.got, tt.want)
			}
		})
	}
}
