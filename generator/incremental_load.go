package generator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/status"
)

// This file is how a Builder loads a site: with caches of the theme and
// of parsed incidents (see "What is cached" on [Builder]).

type themeEntry struct {
	sum       [32]byte
	r         *render.Renderer
	err       error
	overrides bool // page templates overridden: no reuse of HTML
}

type parsedEntry struct {
	slug string
	data []byte // as the scanner returned it
	in   *incident.Incident
	err  error
}

// Load is [Load] with the Builder's caches: it reparses only incidents
// whose files changed since the last call, and rebuilds the renderer only
// when the templates changed. Errors are the same as Load's.
func (b *Builder) Load(ctx context.Context, now time.Time) (*Site, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, _, err := b.load(ctx, now)
	return s, err
}

func (b *Builder) load(ctx context.Context, now time.Time) (*Site, *loadState, error) {
	var errs diag.List
	raw, _ := os.ReadFile(filepath.Join(b.dir, config.FileName)) // config.Load reports a failure
	cfgSum := sha256.Sum256(raw)
	cfg, err := config.Load(b.dir)
	if err != nil {
		if !isDiag(err) {
			return nil, nil, err
		}
		errs.Add(config.FileName, err)
	}
	theme := b.loadTheme()
	if theme.err != nil {
		errs.Add(TemplatesDir, theme.err)
	}
	if cfg == nil {
		return nil, nil, errs.Err()
	}
	if cfgSum != b.cfgSum || !b.cfgParsed {
		// The parser checks incidents against the config: parse them all
		// again.
		clear(b.parsed)
		b.cfgSum, b.cfgParsed = cfgSum, true
	}
	ins, err := b.loadIncidents(ctx, cfg, now)
	if err != nil {
		if !isDiag(err) {
			return nil, nil, err
		}
		errs.Add(incident.Dir, err)
	}
	if len(errs) > 0 {
		return nil, nil, errs.Err()
	}
	st := &loadState{cfgSum: cfgSum, themeSum: theme.sum, overrides: theme.overrides}
	if cfgSum != b.latencySum || b.latency == nil {
		// The config names the store and the components.
		b.latency, b.latencySum = &latencyCache{}, cfgSum
		b.reports = &report.Cache{}
		b.days = &status.DayCache{}
		// Its options come from the config too. A store opened read-only
		// has nothing to lose at close.
		_ = b.store.close()
	}
	ins, drafts := incident.SplitDrafts(ins)
	return &Site{Config: cfg, Incidents: ins, Drafts: drafts, Renderer: theme.r, latency: b.latency, reportCache: b.reports, records: &b.records, days: b.days, store: &b.store}, st, nil
}

// loadTheme returns the renderer for the templates folder as it is now,
// reusing the last one when no file in it changed.
func (b *Builder) loadTheme() *themeEntry {
	dir := filepath.Join(b.dir, TemplatesDir)
	h := sha256.New()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		// render.New reports it as Load would; nothing is cached.
		r, rerr := render.New(dir)
		b.theme = nil
		return &themeEntry{r: r, err: rerr, overrides: true}
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			// A folder or an unreadable file: render.New decides whether
			// it matters; its name still changes the fingerprint.
			data = nil
		}
		writeString(h, e.Name())
		writeBytes(h, data)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	if b.theme != nil && b.theme.sum == sum {
		return b.theme
	}
	r, err := render.New(dir)
	// A copy of the built-in theme (the example site's own templates/)
	// is no override.
	overrides := err == nil && r.Overridden()
	b.theme = &themeEntry{sum: sum, r: r, err: err, overrides: overrides}
	return b.theme
}

// loadIncidents is incident.Load with the Builder's scanner and parse
// cache, and the check of the incidents against the clock now, which is
// not cached: a file that was too early becomes right as the clock moves.
func (b *Builder) loadIncidents(ctx context.Context, cfg *config.Config, now time.Time) ([]*incident.Incident, error) {
	var (
		sources []incident.Source
		scanErr error
	)
	if b.hinted {
		sources, scanErr = b.scanner.Rescan(b.hints)
	} else {
		sources, scanErr = b.scanner.Scan()
	}
	b.hinted, b.hints = false, nil
	p := incident.NewParser(cfg)
	ins, err := incident.Collect(ctx, sources, scanErr, func(ctx context.Context, sources []incident.Source) ([]*incident.Incident, []error, error) {
		return b.parse(ctx, p, sources)
	})
	if err != nil && !isDiag(err) {
		return nil, err
	}
	var errs diag.List
	errs.Add("", err)
	errs.Add("", p.CheckClock(ins, now))
	return ins, errs.Err()
}

// parse is incident.ParseAll with a cache keyed by file, slug and bytes:
// it parses only the sources that changed since the last call.
func (b *Builder) parse(ctx context.Context, p *incident.Parser, sources []incident.Source) ([]*incident.Incident, []error, error) {
	ins := make([]*incident.Incident, len(sources))
	errs := make([]error, len(sources))
	var todo []incident.Source
	var todoAt []int
	for i, src := range sources {
		// The scanner returns the very bytes it read before for a file
		// it did not read again, which bytes.Equal tells at once.
		if e, ok := b.parsed[src.File]; ok && e.slug == src.Slug && bytes.Equal(e.data, src.Data) {
			e.data = src.Data // so that the next call's check is as quick
			ins[i], errs[i] = e.in, e.err
			continue
		}
		todo = append(todo, src)
		todoAt = append(todoAt, i)
	}
	parsed, perFile, err := incident.ParseAll(ctx, p, todo)
	if err != nil {
		return nil, nil, err
	}
	for k, i := range todoAt {
		ins[i], errs[i] = parsed[k], perFile[k]
		b.parsed[sources[i].File] = &parsedEntry{slug: sources[i].Slug, data: sources[i].Data, in: ins[i], err: errs[i]}
	}
	// Every source's file is in b.parsed now: it holds more only where
	// files went, which an edit, the common case, does not look for.
	if len(b.parsed) > len(sources) {
		seen := make(map[string]bool, len(sources))
		for _, src := range sources {
			seen[src.File] = true
		}
		for file := range b.parsed {
			if !seen[file] {
				delete(b.parsed, file)
			}
		}
	}
	return ins, errs, nil
}

// writeString writes s to h with its length first, so that two strings
// written one after the other cannot be confused with two others.
func writeString(h hash.Hash, s string) {
	writeBytes(h, []byte(s))
}

func writeBytes(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}
