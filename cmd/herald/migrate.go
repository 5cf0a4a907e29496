package main

import (
	"context"
	"fmt"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/cstate"
	"github.com/herald-status/herald/migrate/statuspage"
	"github.com/herald-status/herald/migrate/upptime"
)

const migrateUsage = `
Usage: herald migrate -from cstate|upptime|statuspage [-site DIR] [-force] [-issues FILE] [-now TIME] SOURCE
       herald migrate -from statuspage -page-id ID [flags] [API]

Writes a complete herald site into -site from another status page tool:
herald.yaml, incidents/<slug>.md and, where the source has probe history,
the history store. SOURCE is, for cstate, the Hugo site folder (with
config.yml and content/issues/); for statuspage, a folder of the public
v2 API's JSON (summary.json, components.json, incidents.json,
scheduled-maintenances.json), one such file, or the page's https URL;
for upptime, a clone of the status repository (with .upptimerc.yml).
The public Statuspage API lists only the last 50 incidents: with -page-id,
herald reads every one through the management API (API, by default
https://api.statuspage.io), with the key in $STATUSPAGE_API_KEY.
Upptime's incidents are GitHub issues: give them with -issues FILE, the
JSON that this writes in the repository:
  gh issue list --state all --label status --limit 10000 \
    --json number,title,body,createdAt,closedAt,labels,comments > issues.json
Flags come before SOURCE.

The result is checked as "herald check" would, at -now, before anything
is written; it is staged in a temporary folder inside -site and moved into
place only when all of it is ready, so a failure leaves -site as it was.
An existing file is an error unless -force is given. It prints a summary,
then everything it could not map, as source-file:line: what, and what it
did instead. docs/migrate.md maps every field.

Examples:
  herald migrate -from cstate ../old-status
  herald migrate -from cstate -site status -force ~/src/cstate-site
  herald migrate -from statuspage -site status https://status.example.com
  STATUSPAGE_API_KEY=… herald migrate -from statuspage -page-id kctbh9vrtdwd -site status
  herald migrate -from upptime -site status -issues issues.json ../upptime-repo
`

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("migrate")
	site := siteFlag(fs)
	nowText := nowFlag(fs)
	from := fs.String("from", "", "the source's tool: cstate, upptime or statuspage")
	force := fs.Bool("force", false, "replace files that already exist in -site")
	pageID := fs.String("page-id", "", "statuspage: read every incident of this page through the management API, with the key in $"+statuspage.KeyEnv)
	issues := fs.String("issues", "", "with -from upptime: the JSON of the repository's issues, as gh issue list writes it")
	if err := parse(e, fs, migrateUsage, args); err != nil {
		return err
	}
	if *pageID != "" && *from != "statuspage" {
		return usageError{"migrate: -page-id is for -from statuspage"}
	}
	if *issues != "" && *from != "upptime" {
		return usageError{fmt.Sprintf("migrate: -issues is for -from upptime, not -from %q", *from)}
	}
	source := fs.Arg(0)
	switch {
	case *pageID != "" && fs.NArg() == 0:
		source = statuspage.ManageAPI
	case fs.NArg() != 1:
		return usageError{fmt.Sprintf("migrate wants one SOURCE after the flags, got %q", fs.Args())}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	var s *migrate.Site
	switch *from {
	case "cstate":
		s, err = cstate.Read(source)
	case "statuspage":
		s, err = readStatuspage(ctx, e, source, *pageID)
	case "upptime":
		s, err = upptime.Read(ctx, source, *issues)
	default:
		return usageError{fmt.Sprintf("migrate: -from %q: want cstate, upptime or statuspage", *from)}
	}
	if err != nil {
		return report(e, ".", err)
	}
	check := func(ctx context.Context, staged string) error {
		loaded, err := generator.Load(ctx, staged, now)
		if err == nil {
			err = generator.Check(ctx, loaded, now)
		}
		if err != nil {
			fmt.Fprintln(e.stderr, "herald: the migrated site does not pass check; nothing was written:")
			return report(e, *site, err)
		}
		return nil
	}
	sum, err := migrate.Write(ctx, *site, s, *force, check)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "migrated %s into %s: %d components, %d incidents, %d maintenance, %d history results\n",
		source, *site, sum.Components, sum.Incidents, sum.Maintenance, sum.Results)
	if len(sum.Notes) > 0 {
		fmt.Fprintf(e.stdout, "not mapped as they are (%d):\n", len(sum.Notes))
	}
	for _, n := range sum.Notes {
		fmt.Fprintln(e.stdout, n.String())
	}
	return nil
}

// readStatuspage reads the public API at source or, with pageID, the
// management API at source, with the key from the environment.
func readStatuspage(ctx context.Context, e *env, source, pageID string) (*migrate.Site, error) {
	if pageID == "" {
		return statuspage.Read(ctx, source, nil)
	}
	key := e.getenv(statuspage.KeyEnv)
	if key == "" {
		return nil, usageError{fmt.Sprintf("migrate: -page-id needs the API key in $%s (it is never a flag, since flags show in ps)", statuspage.KeyEnv)}
	}
	return statuspage.ReadManaged(ctx, source, pageID, key, nil)
}
