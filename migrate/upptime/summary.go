package upptime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
)

// maxFile caps what is read of history/summary.json and history/<slug>.yml:
// Upptime writes them a few kilobytes long, and a file far larger is not
// one, so it is refused before it takes the host's memory.
const maxFile = 64 << 20

// dayFormat is the form of dailyMinutesDown's keys: Upptime formats them
// with dayjs on the GitHub Actions runner, whose clock is UTC.
const dayFormat = "2006-01-02"

// summarySite is a site's entry in history/summary.json, as far as the
// history needs it.
type summarySite struct {
	Slug string `json:"slug"`
	// Uptime is Upptime's all-time figure, "99.87%".
	Uptime string `json:"uptime"`
	// Time is the average response time, in ms.
	Time float64 `json:"time"`
	// DailyMinutesDown maps a UTC day (dayFormat) to the minutes its
	// issues were open on that day.
	DailyMinutesDown map[string]int `json:"dailyMinutesDown"`
}

// readSummary reads history/summary.json, by slug. It returns nil, and no
// error, when the file does not exist.
func readSummary(repo string) (map[string]summarySite, error) {
	name := filepath.Join(repo, "history", "summary.json")
	src, err := readCapped(name)
	if err != nil || src == nil {
		return nil, err
	}
	var sites []summarySite
	if err := json.Unmarshal(src, &sites); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := migrate.Position(src, syn.Offset-1)
			return nil, diag.Errorf(name, line, col, "malformed JSON: %v", err).WithFix("restore the file from git: Upptime writes it whole")
		case errors.As(err, &typ):
			line, col := migrate.Position(src, typ.Offset-1)
			return nil, diag.Errorf(name, line, col, "%s is a JSON %s, not a %s", typ.Field, typ.Value, typ.Type).WithFix("restore the file from git: Upptime writes it whole")
		}
		return nil, diag.Errorf(name, 1, 1, "malformed JSON: %v", err).WithFix("restore the file from git: Upptime writes it whole")
	}
	var errs diag.List
	bySlug := make(map[string]summarySite, len(sites))
	for _, s := range sites {
		for day, minutes := range s.DailyMinutesDown {
			if _, err := time.Parse(dayFormat, day); err != nil || minutes < 0 {
				// encoding/json keeps no offsets; the key's first
				// occurrence is where it is, unless another site has
				// the same bad key.
				line, col := migrate.Position(src, int64(bytes.Index(src, []byte(`"`+day+`"`))))
				errs = append(errs, diag.Errorf(name, line, col, "dailyMinutesDown of %q: %q: %d is not a day (YYYY-MM-DD) and the minutes down on it", s.Slug, day, minutes).
					WithFix("restore the file from git: Upptime writes it whole"))
			}
		}
		bySlug[s.Slug] = s
	}
	return bySlug, errs.Err()
}

// siteFile is what History needs of history/<slug>.yml.
type siteFile struct {
	// Start is startTime: when Upptime began to watch the site, and where
	// its uptime figure starts.
	Start time.Time
	// Updated is lastUpdated: Upptime's last check that wrote the file.
	Updated time.Time
}

// readSiteFile reads history/<slug>.yml the way Upptime does: line by
// line, as `key: value`, with the "- " that older versions put before
// each line taken off. ok is false when the file does not exist.
func readSiteFile(repo, slug string) (f siteFile, ok bool, err error) {
	if !filepath.IsLocal(slug) {
		return f, false, fmt.Errorf("read history of site %q: its slug is a path", slug)
	}
	name := filepath.Join(repo, "history", slug+".yml")
	src, err := readCapped(name)
	if err != nil || src == nil {
		return f, false, err
	}
	var errs diag.List
	for i, line := range strings.Split(string(src), "\n") {
		key, value, found := strings.Cut(strings.TrimPrefix(line, "- "), ":")
		if !found {
			continue
		}
		var dst *time.Time
		switch strings.TrimSpace(key) {
		case "startTime":
			dst = &f.Start
		case "lastUpdated":
			dst = &f.Updated
		default:
			continue
		}
		text := strings.Trim(strings.TrimSpace(value), `"'`)
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			col := len(key) + 2 + strings.Index(value, text) + len(line) - len(strings.TrimPrefix(line, "- "))
			errs = append(errs, diag.Errorf(name, i+1, col, "%s %q is not a time", strings.TrimSpace(key), text).
				WithFix("write it as Upptime does, in ISO 8601: 2024-05-15T17:50:00.000Z"))
			continue
		}
		*dst = t.UTC()
	}
	return f, true, errs.Err()
}

// readCapped reads the file name, at most maxFile bytes; nil and no error
// when it does not exist.
func readCapped(name string) ([]byte, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(src) > maxFile {
		return nil, fmt.Errorf("read %s: larger than %d MiB, too large for a file Upptime writes", name, maxFile>>20)
	}
	return src, nil
}
