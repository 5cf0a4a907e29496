package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

const newUsage = `
Usage: herald new [-site DIR] [-components a,b] [-now TIME] incident|maintenance "Title"

Writes a skeleton incidents/YYYY-MM-DD-slug.md dated now in the site's
timezone (maintenance: scheduled for tomorrow), and prints its path. Edit
it, run herald check, commit. Flags come before the words.

Examples:
  herald new -components api,website incident "Elevated API error rates"
  herald new -components database maintenance "Database failover test"
`

func runNew(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet("new")
	site := siteFlag(fset)
	comps := fset.String("components", "", "comma-separated ids of the affected components")
	nowText := nowFlag(fset)
	if err := parse(e, fset, newUsage, args); err != nil {
		return err
	}
	if fset.NArg() != 2 {
		printUsage(e.stderr, fset, newUsage)
		return usageError{fmt.Sprintf(`new wants a kind and a title, e.g. incident "API errors"; got %d arguments (flags go before them)`, fset.NArg())}
	}
	kind, title := incident.Kind(fset.Arg(0)), strings.TrimSpace(fset.Arg(1))
	if kind != incident.KindIncident && kind != incident.KindMaintenance {
		return usageError{fmt.Sprintf("new: unknown kind %q (use incident or maintenance)", kind)}
	}
	slug := config.Slugify(title)
	if slug == "" {
		return usageError{fmt.Sprintf("new: the title %q has no letters a to z or digits to make a file name from (start with a few such words; you can change the title in the file afterwards)", title)}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*site)
	if err != nil {
		return report(e, *site, err)
	}
	var ids []string
	for _, id := range strings.Split(*comps, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if cfg.Component(id) == nil {
			return usageError{fmt.Sprintf("new: unknown component %q (known: %s)", id, strings.Join(cfg.ComponentIDs(), ", "))}
		}
		ids = append(ids, id)
	}

	now = now.In(cfg.Location).Truncate(time.Minute)
	rel := filepath.ToSlash(filepath.Join(incident.Dir, now.Format("2006-01-02")+"-"+slug+".md"))
	src := skeleton(status.SiteLocale(cfg), kind, title, ids, now)
	// The skeleton must pass herald check as written; a failure here is a
	// bug in herald, not the user's.
	if _, err := incident.NewParser(cfg).Parse(rel, slug, []byte(src)); err != nil {
		return fmt.Errorf("new: the skeleton does not parse: %w", err)
	}
	path := filepath.Join(*site, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("new: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return report(e, *site, diag.Errorf(rel, 1, 1, "already exists").WithFix("edit it, or choose another title"))
	}
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	if _, err := f.WriteString(src); err != nil {
		f.Close()
		return fmt.Errorf("new: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("new: %w", err)
	}
	fmt.Fprintln(e.stdout, path)
	return nil
}

// skeleton is a new file that already passes herald check: the author fills
// in words, not syntax, and finds them in the site's language l.
func skeleton(l *i18n.Locale, kind incident.Kind, title string, ids []string, now time.Time) string {
	var b strings.Builder
	quoted, _ := yaml.Marshal(title)
	list := "[" + strings.Join(ids, ", ") + "]"
	const local = "2006-01-02 15:04"
	heading := func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") }
	b.WriteString("---\n")
	fmt.Fprintf(&b, "title: %s", quoted)
	if kind == incident.KindMaintenance {
		start := now.Truncate(time.Hour).Add(24 * time.Hour)
		fmt.Fprintf(&b, "type: maintenance\ncomponents: %s\nscheduled_start: %s\nscheduled_end: %s\n---\n", list, start.Format(local), start.Add(2*time.Hour).Format(local))
		fmt.Fprintf(&b, "%s\n\n## %s — %s\n%s\n", l.T("new.maintenance_summary"), heading(now), l.T("update.scheduled"), l.T("new.maintenance_update"))
		return b.String()
	}
	fmt.Fprintf(&b, "components: %s\nimpact: minor\nstarted: %s\n---\n", list, now.Format(local))
	fmt.Fprintf(&b, "%s\n\n## %s — %s\n%s\n", l.T("new.incident_summary"), heading(now), l.T("update.investigating"), l.T("new.incident_update"))
	return b.String()
}
