package badge_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/badge"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
)

// localeSnap is a one-component site in locale, its component up.
func localeSnap(t *testing.T, locale string) *status.Snapshot {
	t.Helper()
	src := "title: T\nbase_url: https://s.example/\nlocale: " + locale + "\ncomponents:\n  - {id: api, name: API}\n"
	cfg, err := config.Parse(t.TempDir(), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return status.New(cfg, nil, clock)
}

func message(t *testing.T, files map[string][]byte, path string) (label, msg string) {
	t.Helper()
	var ep struct{ Label, Message string }
	if err := json.Unmarshal(files[path], &ep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ep.Label, ep.Message
}

// TestLocale: a badge's words and numbers are the site's language; its
// colour and paths are not.
func TestLocale(t *testing.T) {
	tests := []struct {
		locale                          string
		status, overall                 string // the overall badge
		component                       string // api.json's message
		uptimeLabel, uptime, partUptime string // api-uptime.json: fully, then partly observed
		noData                          string
	}{
		{"en", "status", "all systems operational", "operational", "API uptime", "99.95%", "99.95% (76% observed)", "no data"},
		{"de", "Status", "alle Systeme betriebsbereit", "betriebsbereit", "API Verfügbarkeit", "99,95\u00a0%", "99,95\u00a0% (76\u00a0% gemessen)", "keine Daten"},
		{"ar", "الحالة", "جميع الأنظمة تعمل", "يعمل بشكل طبيعي", "نسبة تشغيل API", "99.95\u200e%\u200e", "99.95\u200e%\u200e (تم قياس 76\u200e%\u200e)", "لا توجد بيانات"},
		{"ja", "ステータス", "すべて正常", "正常", "API 稼働率", "99.95%", "99.95%(計測 76%)", "データなし"},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			snap := localeSnap(t, tt.locale)
			full := uptime.Summary{HasValue: true, Uptime: 0.9995, Down: time.Hour, Coverage: 1}
			files := renderAll(t, snap, badge.Options{Uptime30: map[string]uptime.Summary{"api": full}})
			if l, m := message(t, files, "badges/status.json"); l != tt.status || m != tt.overall {
				t.Errorf("status badge: got %q: %q, want %q: %q", l, m, tt.status, tt.overall)
			}
			if _, m := message(t, files, "badges/api.json"); m != tt.component {
				t.Errorf("component badge: got %q, want %q", m, tt.component)
			}
			if l, m := message(t, files, "badges/api-uptime.json"); l != tt.uptimeLabel || m != tt.uptime {
				t.Errorf("uptime badge: got %q: %q, want %q: %q", l, m, tt.uptimeLabel, tt.uptime)
			}
			part := full
			part.NoData, part.Coverage = 7*24*time.Hour, 0.7637
			files = renderAll(t, snap, badge.Options{Uptime30: map[string]uptime.Summary{"api": part}})
			if _, m := message(t, files, "badges/api-uptime.json"); m != tt.partUptime {
				t.Errorf("partly observed: got %q, want %q", m, tt.partUptime)
			}
			files = renderAll(t, snap, badge.Options{Uptime30: map[string]uptime.Summary{}})
			if _, m := message(t, files, "badges/api-uptime.json"); m != tt.noData {
				t.Errorf("no data: got %q, want %q", m, tt.noData)
			}
		})
	}
}

// TestNeverHundred: the uptime badge truncates as uptime.Format does, so
// no downtime is ever hidden behind "100%", and 0.57 (which becomes
// 56.99999… once multiplied by 100) is not cut to 56.99%.
func TestNeverHundred(t *testing.T) {
	tests := []struct {
		name string
		u    float64
		down time.Duration
		want string
	}{
		{"99.9996% is 99.99%", 0.999996, time.Second, "99.99%"},
		{"a whole uptime with some downtime", 1, time.Nanosecond, "99.99%"},
		{"a figure float64 stores below itself", 0.57, time.Hour, "57%"},
		{"no downtime at all", 1, 0, "100%"},
		{"a tenth", 0.999, time.Hour, "99.9%"},
		{"nothing up", 0, time.Hour, "0%"},
	}
	snap := localeSnap(t, "en")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := uptime.Summary{HasValue: true, Uptime: tt.u, Down: tt.down, Coverage: 1}
			files := renderAll(t, snap, badge.Options{Uptime30: map[string]uptime.Summary{"api": s}})
			if _, got := message(t, files, "badges/api-uptime.json"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestObservedShare: the share observed is truncated as the uptime is,
// and never 100% while part of the window has no data.
func TestObservedShare(t *testing.T) {
	tests := []struct {
		name     string
		coverage float64
		want     string
	}{
		{"float64 stores it low", 0.29, "99% (29% observed)"},
		{"a hair under whole", 0.999999, "99% (99% observed)"},
		{"whole as float64", 1, "99% (99% observed)"},
		{"most", 0.7637, "99% (76% observed)"},
	}
	snap := localeSnap(t, "en")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := uptime.Summary{HasValue: true, Uptime: 0.99, Down: time.Hour, Coverage: tt.coverage, NoData: time.Minute}
			files := renderAll(t, snap, badge.Options{Uptime30: map[string]uptime.Summary{"api": s}})
			if _, got := message(t, files, "badges/api-uptime.json"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
