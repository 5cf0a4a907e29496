// Package generator builds a herald site: it loads the config and the
// incident files, computes the status snapshot, renders pages and feeds,
// and publishes the result atomically.
//
//	site, err := generator.Load(ctx, dir, now)
//	res, err := generator.Build(ctx, site, generator.Options{Now: now})
//
// A build either publishes a complete new version of the site or leaves the
// previous one untouched; see package publish.
package generator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/badge"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/ical"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/history"
)

// TemplatesDir is the folder inside a site whose files override the
// embedded theme.
const TemplatesDir = config.TemplatesDir

// Site is a loaded, validated site folder.
type Site struct {
	Config    *config.Config
	Incidents []*incident.Incident // newest first; never a draft
	// Drafts are the files with `draft: true`: checked, never published.
	Drafts   []*incident.Incident
	Renderer *render.Renderer

	latency     *latencyCache // a Builder's, across its builds; nil reads everything
	reportCache *report.Cache // a Builder's closed months, across its builds; nil keeps none
	// records is a Builder's record of published reports, across its
	// builds; nil reads the file at each build.
	records *report.RecordCache
	// days are a Builder's components' days before today, across its
	// builds; nil keeps none.
	days *status.DayCache
	// store is a Builder's history store, kept open across its builds;
	// nil opens and closes it at each read.
	store *keptStore
}

// Load reads and validates everything in the site folder dir, at the
// clock now, which no incident may start after (see
// incident.Parser.CheckClock). Problems in the author's files come back
// together as one diag.List, so a single run reports every bad file; other
// errors (unreadable folders) come back as they are.
func Load(ctx context.Context, dir string, now time.Time) (*Site, error) {
	// The theme depends on neither the config nor the incidents: it is
	// parsed and checked on another core while they load. Nor does
	// finding and reading the incident files, which needs no config
	// either: it starts at once, so that a core does not wait for
	// herald.yaml and the theme, and only the parse waits for the
	// config.
	var (
		theme    sync.WaitGroup
		r        *render.Renderer
		themeErr error
		sources  []incident.Source
		scanErr  error
	)
	theme.Go(func() { r, themeErr = render.New(filepath.Join(dir, TemplatesDir)) })
	var scan sync.WaitGroup
	scan.Go(func() { sources, scanErr = incident.Scan(dir) })
	defer theme.Wait()
	defer scan.Wait()
	cfg, err := config.Load(dir)
	var errs diag.List
	if err != nil {
		if !isDiag(err) {
			return nil, err
		}
		errs.Add(config.FileName, err)
	}
	var (
		ins    []*incident.Incident
		insErr error
		p      *incident.Parser
	)
	if cfg != nil {
		p = incident.NewParser(cfg)
		scan.Wait()
		ins, insErr = incident.LoadScanned(ctx, p, sources, scanErr)
	}
	theme.Wait()
	if themeErr != nil {
		errs.Add(TemplatesDir, themeErr)
	}
	if cfg == nil {
		// Incidents are checked against the components, so without a
		// valid config there is nothing more to learn.
		return nil, errs.Err()
	}
	if insErr != nil {
		if !isDiag(insErr) {
			return nil, insErr
		}
		errs.Add(incident.Dir, insErr)
	}
	errs.Add(incident.Dir, p.CheckClock(ins, now))
	errs.Add(incident.Dir, lostIncidents(dir, cfg.PublishDir()))
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	ins, drafts := incident.SplitDrafts(ins)
	return &Site{Config: cfg, Incidents: ins, Drafts: drafts, Renderer: r}, nil
}

// incidentPages is the folder of a published site that holds a page per
// incident, incidents/<slug>/index.html (see docs/urls.md).
const incidentPages = "incidents/"

// lostIncidents reports a site whose incidents/ folder is gone although
// the version published at out has incident pages: a build would then
// publish the site as if every incident had been deleted, when the folder
// was more likely moved, unmounted or lost to a bad -out. A site that
// never published an incident builds without the folder, and an empty
// folder says "no incidents" on purpose.
func lostIncidents(dir, out string) error {
	if _, err := os.Stat(filepath.Join(dir, incident.Dir)); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	cur, err := publish.Current(out)
	if err != nil || cur == "" {
		return nil // nothing published there, or the publisher will say why
	}
	paths, err := publish.ReadManifest(cur)
	if err != nil {
		return nil // not a version herald published
	}
	pages := 0
	for _, p := range paths {
		if strings.HasPrefix(p, incidentPages) && strings.HasSuffix(p, "/index.html") {
			pages++
		}
	}
	if pages == 0 {
		return nil
	}
	noun := "pages"
	if pages == 1 {
		noun = "page"
	}
	return diag.Errorf(incident.Dir, 1, 1, "folder is missing, but the site published at %s has %d incident %s", out, pages, noun).
		WithFix("restore the folder, e.g. from version control; to publish the site without incidents, create an empty %s/ folder", incident.Dir)
}

func isDiag(err error) bool {
	var l diag.List
	var e *diag.Error
	return errors.As(err, &l) || errors.As(err, &e)
}

// Files lists every file of the site at now: pages, assets, feeds, the
// API, badges and the maintenance calendar. It reads the probe history.
func (s *Site) Files(ctx context.Context, now time.Time) ([]render.File, error) {
	_, files, _, err := s.files(ctx, now, false, nil)
	return files, err
}

// Snapshot is the status of the site at now, probe history included, as
// a build computes it.
func (s *Site) Snapshot(ctx context.Context, now time.Time) (*status.Snapshot, error) {
	return s.snapshot(ctx, now, false)
}

func (s *Site) snapshot(ctx context.Context, now time.Time, daemon bool) (*status.Snapshot, error) {
	probes, err := s.readProbes(ctx, now)
	if err != nil {
		return nil, err
	}
	return status.New(s.Config, s.Incidents, now, status.Options{Probes: probes, Daemon: daemon, Days: s.days}), nil
}

// files lists every file of the site at now, and the record of published
// reports to keep once they are published. head, unless nil, is handed
// the first files of the list (the reports' data and the API) as soon as
// they are listed, so that they can be rendered while the rest is listed.
//
// The reports' CSV and JSON and the API's files come first, not last:
// the last files handed out leave a core idle until the slowest of them
// is done, and after the pages they take longest each (~2 ms a month's
// JSON of a large site, as long the API's list of incidents and of
// maintenance), while the feeds and badges that end the list now take a
// fraction of that.
func (s *Site) files(ctx context.Context, now time.Time, daemon bool, head func([]render.File)) (*status.Snapshot, []render.File, *report.Record, error) {
	// The record of a large site is a megabyte of JSON, read and decoded
	// on another core while the probes, the snapshot and the months are
	// worked out, which do not need it.
	var (
		read   sync.WaitGroup
		rec    *report.Record
		recErr error
	)
	read.Go(func() { rec, recErr = s.records.Read(s.Config.ReportRecordPath()) })
	defer read.Wait()
	probes, err := s.readProbes(ctx, now)
	if err != nil {
		return nil, nil, nil, err
	}
	snap := status.New(s.Config, s.Incidents, now, status.Options{Probes: probes, Daemon: daemon, Days: s.days})
	// The months, with their revisions from the record, are worked out on
	// another core while the API and the pages are listed (the pages ask
	// for the months last): a Builder's rebuild left that core idle
	// meanwhile. A clean build waits for them, to hand out its head first.
	var (
		reporting sync.WaitGroup
		months    []*report.Month
	)
	reporting.Go(func() {
		months = s.reports(snap, probes)
		read.Wait()
		if recErr == nil {
			rec = report.Revise(months, rec, now)
		}
	})
	monthsReady := func() []*report.Month {
		reporting.Wait()
		return months
	}
	apiFiles := api.Files(snap, api.WithExtra(api.FromSnapshot(snap)))
	var reader []render.File
	if head == nil {
		reader = s.readerFiles(snap, monthsReady)
	}
	// From here on the months are ready, and recErr safe to read.
	files := append(api.ReportFiles(monthsReady(), snap.Site.BaseURL), apiFiles...)
	if head != nil {
		head(files)
		reader = s.readerFiles(snap, monthsReady)
	}
	files = append(files, reader...)
	if recErr != nil {
		return nil, nil, nil, recErr
	}
	for _, lang := range snap.Site.Languages[min(1, len(snap.Site.Languages)):] {
		first := snap.Site.Lang
		view := func(in *incident.Incident) *incident.Incident { return in.In(lang.Tag, first) }
		shown := make([]*report.Month, len(months))
		for i, m := range months {
			shown[i] = m.In(view)
		}
		for _, f := range s.readerFiles(s.inLanguage(snap, lang, view), func() []*report.Month { return shown }) {
			f.Path = lang.Dir + f.Path
			files = append(files, f)
		}
	}
	return snap, files, rec, nil
}

// readerFiles are the files of snap's language that people read: feeds,
// pages, assets, badges and the calendar. Each of the site's languages
// has its own; the APIs and the reports' data are machine fields, written
// once, in the first language (docs/i18n.md).
//
// The feeds come first: each takes a few milliseconds, the first to list
// an incident builds its item while another feed that lists it waits,
// and at the end of the list they left a core idle for as long.
func (s *Site) readerFiles(snap *status.Snapshot, months func() []*report.Month) []render.File {
	files := feed.Files(snap)
	files = append(files, s.Renderer.Files(snap, render.WithReportsFrom(months))...)
	files = append(files, badge.Files(snap, badge.Options{})...)
	return append(files, ical.Files(snap)...)
}

// inLanguage is snap as the files of lang, another of the site's
// languages than the first, show it: in lang's words, at lang's address,
// with each incident in lang's translation or else marked untranslated.
func (s *Site) inLanguage(snap *status.Snapshot, lang status.Language, view func(*incident.Incident) *incident.Incident) *status.Snapshot {
	site := snap.Site
	site.Locale, site.BaseURL, site.Lang = s.Config.LocaleOf(lang.Tag), lang.BaseURL, lang.Tag
	return snap.In(site, view)
}

// reports computes the monthly reports of the snapshot (docs/reports.md).
func (s *Site) reports(snap *status.Snapshot, probes map[string]*status.Probe) []*report.Month {
	intervals := make(map[string][]history.Interval, len(probes))
	for id, p := range probes {
		intervals[id] = p.Intervals
	}
	return report.Months(report.Input{
		Components: report.Components(snap), Incidents: s.Incidents, Intervals: intervals,
		PartialWeight: s.Config.History.Weight(), MinCoverage: s.Config.Uptime.MinCoverage,
		Loc: snap.Site.Location, Now: snap.Now, Cache: s.reportCache,
	})
}

// Options control one build.
type Options struct {
	// Out is the output path; empty means the config's publish.dir.
	Out string
	// Now is the build's clock: rendering depends on it and nothing else
	// reads the time.
	Now time.Time
	// Record keeps, once the site is published, each closed month's
	// figures in the record of published reports, so that a later
	// change shows as a revision (docs/reports.md). Commands that
	// publish for readers set it; previews do not.
	Record bool
}

// Result summarises a build.
type Result struct {
	Out       string // the output path
	Version   string // the folder the output path now points at
	Files     int
	Pages     int // HTML files among Files
	Incidents int
	Written   int // files written anew
	Linked    int // files unchanged since the previous version, hard-linked
	// Kept is files unchanged since the version a [Builder] recycled
	// into this one (see publish.Recycle): neither written nor linked.
	Kept int
	// Rendered and Reused split Files (less the manifest) into files
	// rendered by this build and files whose bytes a [Builder] kept from
	// an earlier build because their inputs did not change. Build renders
	// everything.
	Rendered, Reused int
	// Snapshot is what the published site says, for whoever acts on a
	// publish (notifications).
	Snapshot *status.Snapshot
	// Timings are a [Builder]'s; Build leaves them zero.
	Timings Timings
}

// Build renders the site and publishes it at the output path. On any error
// nothing is published and the previous site stays as it was.
func Build(ctx context.Context, s *Site, opts Options) (*Result, error) {
	out, err := outputPath(s.Config, opts.Out)
	if err != nil {
		return nil, err
	}
	if err := lostIncidents(s.Config.Dir, out); err != nil {
		return nil, err
	}
	// Begun before the inputs are read, the stage refuses an output
	// herald may not replace before a whole build, and creates nothing
	// then (not even SQLite's -shm beside the probe history).
	stage, err := publish.Begin(out)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	defer stage.Abort() // after Commit, a no-op
	var (
		early    sync.WaitGroup
		headLen  int
		earlyErr error
	)
	defer early.Wait()
	// The reports' data and the API are rendered into the stage while
	// the pages, feeds and badges are listed, which takes one core (~10 ms of
	// the medium site) that the other would spend waiting; the rest is
	// rendered once listed. Either stops both at its first error.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	snap, files, rec, err := s.files(ctx, opts.Now, false, func(head []render.File) {
		headLen = len(head)
		early.Go(func() {
			if earlyErr = renderAll(ctx, head, stage.WriteFile); earlyErr != nil {
				cancel(earlyErr)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res, err := commitFiles(stage, out, files, manifest(files), stage.WriteFile, func(write func(string, []byte) error) error {
		err := renderAll(ctx, files[headLen:], write)
		if err != nil {
			cancel(err)
		}
		early.Wait()
		if earlyErr != nil {
			return earlyErr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if opts.Record {
		if err := report.WriteRecord(s.Config.ReportRecordPath(), rec); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	res.Incidents = len(s.Incidents)
	res.Rendered = len(files)
	res.Snapshot = snap
	return res, nil
}

// outputPath returns where a build of the site publishes: out, once
// checked against the site's own files, or else publish.dir, which was
// checked when the config was parsed.
func outputPath(cfg *config.Config, out string) (string, error) {
	if out == "" {
		return cfg.PublishDir(), nil
	}
	if err := cfg.CheckOutput(out); err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	return out, nil
}

// commitFiles lets fill write the files of a stage already begun at out
// (concurrently, through write), adds man, the manifest of files
// ([publish.ManifestName]; tests, external checkers and the publisher
// itself read it), and commits. On any error the stage is removed and the
// published site is untouched.
func commitFiles(stage *publish.Stage, out string, files []render.File, man []byte, write func(string, []byte) error, fill func(write func(string, []byte) error) error) (*Result, error) {
	defer stage.Abort() // after Commit, a no-op
	if err := fill(write); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := write(publish.ManifestName, man); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	version, err := stage.Commit()
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res := &Result{Out: out, Version: version, Files: len(files) + 1}
	res.Written, res.Linked = stage.Stats()
	res.Kept = res.Files - res.Written - res.Linked
	for _, f := range files {
		if filepath.Ext(f.Path) == ".html" {
			res.Pages++
		}
	}
	return res, nil
}

// manifest lists the paths of files, sorted, one a line.
func manifest(files []render.File) []byte {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	slices.Sort(paths)
	var b bytes.Buffer
	for _, p := range paths {
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Check renders every file without writing anything, so that a template
// which fails only on real data is caught too.
func Check(ctx context.Context, s *Site, now time.Time) error {
	files, err := s.Files(ctx, now)
	if err != nil {
		return err
	}
	return renderAll(ctx, files, func(string, []byte) error { return nil })
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderAll renders files on every core and hands each result to write,
// which must be safe for concurrent use. It stops at the first error.
func renderAll(ctx context.Context, files []render.File, write func(path string, data []byte) error) error {
	return parallel.For(ctx, len(files), runtime.GOMAXPROCS(0), func(i int) error {
		return renderOne(files[i], write)
	})
}

func renderOne(f render.File, write func(string, []byte) error) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		bufPool.Put(buf)
	}()
	if err := f.Render(buf); err != nil {
		return fmt.Errorf("render %s: %w", f.Path, err)
	}
	// write's errors name the file already.
	return write(f.Path, buf.Bytes())
}
