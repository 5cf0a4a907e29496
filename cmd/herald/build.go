package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/herald-status/herald/generator"
)

const buildUsage = `
Usage: herald build [-site DIR] [-out DIR] [-now TIME]

Renders the status site and publishes it atomically: the output path is a
symlink flipped to a complete new version, so readers never see a half-built
site, and a failed build leaves the previous one in place.

Examples:
  herald build                         # ./herald.yaml → ./public
  herald build -site status -out /srv/www/status
  HERALD_NOW=2026-11-28T15:00:00Z herald build   # reproducible output
`

func runBuild(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("build")
	site := siteFlag(fs)
	out := fs.String("out", "", "the output path (default publish.dir from herald.yaml, else public, in the site folder)")
	nowText := nowFlag(fs)
	if err := parse(e, fs, buildUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("build takes no arguments, got %q", fs.Args())}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	start := time.Now()
	s, err := generator.Load(ctx, *site, now)
	if err != nil {
		return report(e, *site, err)
	}
	res, err := generator.Build(ctx, s, generator.Options{Out: *out, Now: now, Record: true})
	if err != nil {
		return report(e, *site, err)
	}
	shown := res.Out
	if rel, err := filepath.Rel(".", res.Out); err == nil && filepath.IsLocal(rel) {
		shown = rel
	}
	fmt.Fprintf(e.stdout, "built %d pages, %d incidents in %s → %s (%d files: %d changed, %d unchanged)\n",
		res.Pages, res.Incidents, time.Since(start).Round(time.Millisecond), shown, res.Files, res.Written, res.Linked)
	return nil
}
