// Package upptime reads an Upptime status repository (a clone of the
// GitHub repository that Upptime's workflows commit to) into a
// migrate.Site: .upptimerc.yml gives the title and the components with
// their probes, and the JSON that `gh issue list` writes gives the
// incidents. docs/migrate.md maps each field.
package upptime

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
)

// Interval is the interval of every migrated probe. Upptime's uptime
// workflow runs at most every 5 minutes, and the history importer records
// one result per Interval, because herald's store counts a result for at
// most twice its probe's interval: the two must agree.
const Interval = 5 * time.Minute

// ConfigFile is Upptime's configuration, at the top of the repository.
const ConfigFile = ".upptimerc.yml"

// Read reads the Upptime repository in dir and, when issuesFile is not
// "", the issues in it (the output of `gh issue list --state all --label
// status --limit 10000 --json
// number,title,body,createdAt,closedAt,labels,comments`). A file it cannot
// read at all is an error; anything it reads but cannot map is a Note.
// The probe history comes from the git log (History).
func Read(ctx context.Context, dir, issuesFile string) (*migrate.Site, error) {
	// Both files are read to the end, so that every mistake in either is
	// reported in one run.
	var errs diag.List
	r, err := readConfig(filepath.Join(dir, ConfigFile))
	errs.Add(filepath.Join(dir, ConfigFile), err)
	if issuesFile != "" {
		errs.Add(issuesFile, r.readIssues(issuesFile))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	results, notes, err := History(ctx, dir, r.history, r.messages)
	if err != nil {
		return nil, err
	}
	r.site.Results = results
	r.site.Unmapped = append(r.site.Unmapped, notes...)
	// The config is read key by key, not line by line; in file and line
	// order, the notes read like the file.
	slices.SortStableFunc(r.site.Unmapped, func(a, b migrate.Note) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return r.site, nil
}

// reader is what the issues are read against: the site so far, and the
// components by their Upptime slug and name.
type reader struct {
	site   *migrate.Site
	bySlug map[string]string // Upptime slug → component id
	byName map[string]string // site name → component id
	// history lists the sites whose probe history is read from the git
	// log, with the commit settings to parse it with.
	history  []HistorySite
	messages Messages
}

func (r *reader) note(file string, line int, what, instead string) {
	r.site.Unmapped = append(r.site.Unmapped, migrate.Note{File: file, Line: line, What: what, Instead: instead})
}
