package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herald-status/herald/config"
)

const exportUsage = `
Usage: herald export [-site DIR] [-component ID] [-since TIME]

Writes the raw probe results still in the history store (those within
history.retention) to stdout as JSON Lines, oldest first: the format
herald import reads.

Examples:
  herald export > results.jsonl
  herald export -component api -since 2026-11-28T00:00:00Z
  herald export | gzip > backup.jsonl.gz
`

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("export")
	site := siteFlag(fs)
	component := fs.String("component", "", "only this component's results (default every component)")
	sinceText := fs.String("since", "", "only results at or after this RFC 3339 time")
	if err := parse(e, fs, exportUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("export takes no arguments, got %q", fs.Args())}
	}
	var since time.Time
	if *sinceText != "" {
		t, err := time.Parse(time.RFC3339, *sinceText)
		if err != nil {
			return usageError{fmt.Sprintf("-since: %q is not an RFC 3339 time such as 2026-11-28T00:00:00Z", *sinceText)}
		}
		since = t
	}
	cfg, err := config.Load(*site)
	if err != nil {
		return report(e, *site, err)
	}
	if *component != "" && cfg.Component(*component) == nil {
		return usageError{fmt.Sprintf("-component: unknown component %q (herald.yaml has %v)", *component, cfg.ComponentIDs())}
	}
	store, err := openHistory(cfg)
	if err != nil {
		return report(e, *site, err)
	}
	defer store.Close()
	return store.Export(ctx, e.stdout, *component, since)
}
