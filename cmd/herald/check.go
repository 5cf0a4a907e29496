package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/api"
)

const checkUsage = `
Usage: herald check [-site DIR] [-now TIME]
       herald check -url URL|-dir DIR [-max-age 10m] [-now TIME]

Validates herald.yaml, the templates and every incident file, and renders
every page in memory, without writing anything. Every problem is printed to
stderr as file:line:col: message (fix). Exits 0 when all is well, 1 when
something is wrong.

With -url or -dir it is a watchdog for a published site instead: it reads
api/v2/status.json under the URL (or the folder), and exits 1 with a
message when the file's page.updated_at is older than -max-age, or when the
file cannot be fetched or is not valid. Run it from somewhere that does not
share the status site's fate, such as another provider's cron or CI.

Examples:
  herald check
  herald check -site ./status    # in CI, before merging an incident
  herald check -url https://status.example.com -max-age 10m
  herald check -dir ./public -max-age 15m
`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("check")
	site := siteFlag(fs)
	nowText := nowFlag(fs)
	pubURL := fs.String("url", "", "watchdog: the published site's base URL, whose api/v2/status.json is fetched")
	pubDir := fs.String("dir", "", "watchdog: a published site folder, whose api/v2/status.json is read")
	maxAge := fs.Duration("max-age", 10*time.Minute, "watchdog: how old page.updated_at may be")
	timeout := fs.Duration("timeout", 15*time.Second, "watchdog: how long to wait for the URL")
	if err := parse(e, fs, checkUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("check takes no arguments, got %q", fs.Args())}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	if *pubURL != "" || *pubDir != "" {
		if *pubURL != "" && *pubDir != "" {
			return usageError{"check: give -url or -dir, not both"}
		}
		return watchdog(ctx, e, *pubURL, *pubDir, *maxAge, *timeout, now)
	}
	s, err := generator.Load(ctx, *site, now)
	if err != nil {
		return report(e, *site, err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ok: %d components, %d incidents\n", len(s.Config.Components), len(s.Incidents))
	return nil
}

// watchdog checks that a published site is fresh: its api/v2/status.json
// must parse and its page.updated_at be at most maxAge before now.
func watchdog(ctx context.Context, e *env, baseURL, dir string, maxAge, timeout time.Duration, now time.Time) error {
	var (
		where string
		data  []byte
		err   error
	)
	if dir != "" {
		where = filepath.Join(dir, filepath.FromSlash(api.StatusPath))
		data, err = os.ReadFile(where)
		if err != nil {
			return fmt.Errorf("unreachable: %w", err)
		}
	} else {
		where = strings.TrimRight(baseURL, "/") + "/" + api.StatusPath
		data, err = fetch(ctx, where, timeout)
		if err != nil {
			return fmt.Errorf("unreachable: %s: %w", where, err)
		}
	}
	st, err := api.ReadStatus(data)
	if err != nil {
		return fmt.Errorf("invalid: %s: %w", where, err)
	}
	age := now.Sub(st.UpdatedAt)
	switch {
	case age > maxAge:
		return fmt.Errorf("stale: %s was last updated at %s, %s ago (more than -max-age %s); the site is no longer being rebuilt or published",
			where, st.UpdatedAt.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge)
	case -age > maxAge:
		return fmt.Errorf("invalid: %s claims to be updated at %s, %s in the future (check the clocks)",
			where, st.UpdatedAt.UTC().Format(time.RFC3339), (-age).Round(time.Second))
	}
	fmt.Fprintf(e.stdout, "ok: %s updated %s ago (%s: %s)\n", where, max(age, 0).Round(time.Second), st.Indicator, st.Description)
	return nil
}

// errHTTP is a non-2xx answer.
var errHTTP = errors.New("HTTP error")

func fetch(ctx context.Context, url string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "herald-check/1")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: %s", errHTTP, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
