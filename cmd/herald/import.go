package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

const importUsage = `
Usage: herald import [-site DIR] [-now TIME] FILE...

Imports probe results into the site's history store (history.path), as
JSON Lines, one result a line:

  {"component":"api","time":"2026-11-28T14:55:00Z","ok":true,"latency_ms":84,"status":200,"error":"","region":"us-west"}

or as CSV with a header row of the same column names (by the .csv
extension, or sniffed). Files may be gzipped; "-" reads stdin. Importing a
file twice stores it once. Bad lines are reported as file:line: message and
skipped; the good ones are kept, and the command exits 1. Results for
components not in herald.yaml, results stamped more than 5 minutes after
-now (a wrong clock), and lines longer than 64 KiB are bad lines. A file
cut short (a truncated .gz) is reported with the line it ran out on and
the results committed before it; import it again once it is whole.
Afterwards, raw results older than history.retention (judged against -now)
are pruned; the uptime roll-ups keep them.

Examples:
  herald import example/history.jsonl.gz
  herald import -site status old-monitor.csv
  herald export -component api | herald import -site ../other -
`

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("import")
	site := siteFlag(fs)
	nowText := nowFlag(fs)
	if err := parse(e, fs, importUsage, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"import wants at least one FILE (or - for stdin)"}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*site)
	if err != nil {
		return report(e, *site, err)
	}
	store, err := openHistory(cfg)
	if err != nil {
		return report(e, *site, err)
	}
	defer store.Close()

	progress := progressFunc(e)
	failed := false
	for _, name := range fs.Args() {
		st, err := importFile(ctx, store, name, now, progress)
		var bad *history.ImportError
		var cut *history.ReadError
		var open *os.PathError
		if errors.As(err, &bad) {
			for _, l := range bad.Lines {
				fmt.Fprintln(e.stderr, l.Error())
			}
			if more := bad.Total - len(bad.Lines); more > 0 {
				fmt.Fprintf(e.stderr, "%s: … and %d more bad lines\n", name, more)
			}
		}
		switch {
		case errors.As(err, &cut):
			// The file broke off; the next may be whole.
			fmt.Fprintln(e.stderr, cut.Error())
		case errors.As(err, &open) && open.Path == name:
			// The next file may open.
			fmt.Fprintln(e.stderr, err)
			failed = true
			continue
		case err != nil && bad == nil:
			return err
		}
		failed = failed || err != nil
		fmt.Fprintf(e.stdout, "%s: %d results imported, %d already there, %d older than the retention horizon, %d bad\n",
			name, st.Imported, st.Duplicates, st.Expired, st.Bad)
	}
	if err := store.Prune(ctx, now); err != nil {
		return err
	}
	if failed {
		return errReported
	}
	return nil
}

func importFile(ctx context.Context, store *history.Store, name string, now time.Time, progress func(string) func(int)) (history.ImportStats, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return history.ImportStats{}, fmt.Errorf("open results: %w", err)
		}
		defer f.Close()
		r = f
	}
	return store.Import(ctx, r, name, now, progress(name))
}

// progressFunc shows a running count on stderr, only when a person is
// watching it.
func progressFunc(e *env) func(name string) func(int) {
	f, ok := e.stderr.(*os.File)
	if !ok || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return func(string) func(int) { return nil }
	}
	return func(name string) func(int) {
		start := time.Now()
		return func(n int) {
			fmt.Fprintf(e.stderr, "\r%s: %d lines read (%s)\x1b[K", name, n, time.Since(start).Round(100*time.Millisecond))
			if n%10000 != 0 {
				fmt.Fprintln(e.stderr) // the last call
			}
		}
	}
}

func openHistory(cfg *config.Config) (*history.Store, error) {
	return history.Open(cfg.HistoryPath(), history.ImportOptions(cfg))
}
