package i18n

import (
	"testing"
	"time"
)

// TestWeekdayShort: a weekday's short name is CLDR's for a shipped
// language, and its ISO number in a language a site added, as Weekday.
func TestWeekdayShort(t *testing.T) {
	en, err := catalogs.ReadFile("catalog/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(site(t, map[string]string{"sw.yaml": string(en)}))
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 3, 9, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		tag  string
		l    *Locale
		want string
	}{
		{"en", For("en"), "Mon"},
		{"de", For("de"), "Mo."},
		{"ja", For("ja"), "月"},
		{"ar", For("ar"), "الاثنين"},
		{"sw, added by the site", c.For("sw"), "1"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			if got := tt.l.WeekdayShort(monday); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
