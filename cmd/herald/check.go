package main

import (
	"context"
	"fmt"

	"github.com/herald-status/herald/generator"
)

const checkUsage = `
Usage: herald check [-site DIR] [-now TIME]

Validates herald.yaml, the templates and every incident file, and renders
every page in memory, without writing anything. Every problem is printed to
stderr as file:line:col: message (fix). Exits 0 when all is well, 1 when
something is wrong.

Examples:
  herald check
  herald check -site ./status    # in CI, before merging an incident
`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("check")
	site := siteFlag(fs)
	nowText := nowFlag(fs)
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
	s, err := generator.Load(ctx, *site)
	if err != nil {
		return report(e, *site, err)
	}
	if err := generator.Check(ctx, s, now); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ok: %d components, %d incidents\n", len(s.Config.Components), len(s.Incidents))
	return nil
}
