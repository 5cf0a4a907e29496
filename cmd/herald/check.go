package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/redact"
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
message when the file's page.updated_at is older than -max-age (or further
in the future), or when the file cannot be fetched or is not valid.
-timeout bounds the fetch or the read. A password or token in the URL is
sent but never printed. Run it from somewhere that does not share the
status site's fate, such as another provider's cron or CI.

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
	timeout := fs.Duration("timeout", 15*time.Second, "watchdog: how long to wait for the URL or the file")
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
		base, err := watchdogArgs(*pubURL, *maxAge, *timeout)
		if err != nil {
			return err
		}
		return watchdog(ctx, e, base, *pubDir, *maxAge, *timeout, now)
	}
	// A build parses only the catalogs of its site's languages; check
	// parses every one herald ships, so that a broken one is found before
	// a site switches to its language.
	if err := i18n.Check(); err != nil {
		return report(e, *site, err)
	}
	s, err := generator.Load(ctx, *site, now)
	if err != nil {
		return report(e, *site, err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		return err
	}
	// A draft is a note, not a problem: stdout, and still exit 0. The
	// position leads, as in an error, so that editors can jump to it.
	for _, d := range s.Drafts {
		fmt.Fprintf(e.stdout, "%s:1:1: draft (not published)\n", inSite(*site, d.File))
	}
	fmt.Fprintf(e.stdout, "ok: %d components, %d incidents\n", len(s.Config.Components), len(s.Incidents))
	return nil
}

// maxStatusSize bounds what the watchdog reads of a status.json; herald's
// are well under 1 KiB.
const maxStatusSize = 1 << 20

// watchdogArgs checks the watchdog's flags before anything is read, and
// returns the parsed -url (nil without one). The URL is never echoed, since
// it may carry a password or a token.
func watchdogArgs(baseURL string, maxAge, timeout time.Duration) (*url.URL, error) {
	switch {
	case maxAge <= 0:
		return nil, usageError{fmt.Sprintf("check: -max-age must be positive, got %s", maxAge)}
	case timeout <= 0:
		return nil, usageError{fmt.Sprintf("check: -timeout must be positive, got %s", timeout)}
	case baseURL == "":
		return nil, nil
	}
	if fi, err := os.Stat(baseURL); err == nil && fi.IsDir() || strings.HasPrefix(baseURL, "/") || strings.HasPrefix(baseURL, ".") {
		return nil, usageError{fmt.Sprintf("check: -url %s is a path, not a URL (use -dir %s)", baseURL, baseURL)}
	}
	u, err := url.Parse(baseURL)
	switch {
	case err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return u, nil
	case err == nil && u.Scheme == "" && !strings.Contains(baseURL, "@"):
		return nil, usageError{fmt.Sprintf("check: -url wants an http(s) URL: did you mean https://%s?", baseURL)}
	}
	return nil, usageError{"check: -url wants an http(s) URL such as https://status.example.com"}
}

// watchdog checks that a published site, at base or else in dir, is
// fresh: its api/v2/status.json must parse and its page.updated_at be
// within maxAge of now. The whole check, reading included, ends after
// timeout.
func watchdog(ctx context.Context, e *env, base *url.URL, dir string, maxAge, timeout time.Duration, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		where string
		data  []byte
		err   error
	)
	if dir != "" {
		where = filepath.Join(dir, filepath.FromSlash(api.StatusPath))
		data, err = readLocal(ctx, where)
	} else {
		u := base.JoinPath(api.StatusPath).String()
		where = redact.URL(u)
		data, err = fetch(ctx, u)
	}
	var notFile errNotFile
	switch {
	case errors.As(err, &notFile):
		return fmt.Errorf("invalid: %s: %w", where, err)
	case err != nil:
		return fmt.Errorf("unreachable: %s: %w", where, err)
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
		return fmt.Errorf("stale: %s claims to be updated at %s, %s in the future (more than -max-age %s); check the clocks of the builder and of this machine",
			where, st.UpdatedAt.UTC().Format(time.RFC3339), (-age).Round(time.Second), maxAge)
	}
	fmt.Fprintf(e.stdout, "ok: %s updated %s ago (%s: %s)\n", where, max(age, 0).Round(time.Second), st.Indicator, st.Description)
	return nil
}

// errHTTP is a non-2xx answer.
var errHTTP = errors.New("HTTP error")

// errNotFile is a status.json that cannot be one: not a regular file, or
// over maxStatusSize.
type errNotFile struct{ msg string }

func (e errNotFile) Error() string { return e.msg }

func fetch(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, redact.Error(err, redact.URL)
	}
	req.Header.Set("User-Agent", "herald-check/1")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// net/http's errors carry the URL, with its user name and query.
		return nil, redact.Error(err, redact.URL)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: %s", errHTTP, resp.Status)
	}
	return readCapped(resp.Body)
}

// readLocal reads a published status.json, refusing at once anything but a
// regular file (after symlinks): a named pipe would block the open and the
// read for good, and a device such as /dev/zero never ends.
func readLocal(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	// A stuck file system (a hard NFS mount) blocks even a regular file's
	// read where no context reaches; the caller stops waiting on timeout
	// or a signal, and herald exits, leaving the read behind.
	done := make(chan result, 1)
	go func() {
		data, err := readRegular(name)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func readRegular(name string) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe waits for a writer without it.
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err // the message names the file already
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		return nil, errNotFile{"is a folder, not a regular file"}
	case m&fs.ModeNamedPipe != 0:
		return nil, errNotFile{"is a named pipe, not a regular file"}
	case m&fs.ModeDevice != 0:
		return nil, errNotFile{"is a device, not a regular file"}
	case !m.IsRegular():
		return nil, errNotFile{"is not a regular file"}
	case fi.Size() > maxStatusSize:
		return nil, errNotFile{fmt.Sprintf("is %d bytes, over the 1 MiB limit", fi.Size())}
	}
	return readCapped(f)
}

// readCapped reads r to its end, or fails once it passes maxStatusSize.
func readCapped(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStatusSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStatusSize {
		return nil, errNotFile{"over the 1 MiB limit"}
	}
	return data, nil
}
