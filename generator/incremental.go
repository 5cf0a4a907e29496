package generator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/chart"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
)

// A Builder builds one site folder again and again, as herald watch does,
// and does only the work an edit calls for. Its output is byte-for-byte
// what [Load] and [Build] give for the same files at the same clock; the
// difference is how much is parsed and rendered.
//
// # What is cached
//
//   - The config is read every time (one small file); its bytes, hashed,
//     are the config fingerprint.
//   - The renderer is rebuilt only when the bytes of the site's templates/
//     folder change (the theme fingerprint).
//   - Incident files are read every time (incident.Scan) but parsed only
//     when their path or bytes change, or when the config changes (the
//     parser checks incidents against it). An incident's content hash is
//     its Sum, which the parser sets.
//   - Every rendered file is kept, by path, with the fingerprint of the
//     inputs it was rendered from. When the fingerprint of the same path is
//     unchanged at the next build, the kept bytes are published again
//     without rendering.
//
// # Dependency rules
//
// A fingerprint is a hash of everything a file's template reads. Every
// fingerprint includes the config and theme fingerprints and the path.
// With the default theme the rules are, by path:
//
//	index.html                       always rendered: it states the build time
//	incidents/<slug>/index.html      the incident (content hash, phase and
//	                                 status word at now)
//	history/[page/<n>/]index.html    the page number, the page count and each
//	                                 listed incident (content, phase, status)
//	components/<id>/index.html       the component's status, each of its
//	                                 incidents (content, phase, status), and
//	                                 its probe data: state, each day's bar,
//	                                 uptime periods, latency histograms
//	404.html                         nothing more
//	history.{rss,atom,json}          the incidents the feed lists (content
//	components/<id>/history.*        only: feeds never read the clock)
//	a file with a Key (badges)       its Key, which the file's maker says
//	                                 covers all its bytes depend on
//	anything else                    always rendered (assets, and any file a
//	                                 later feature adds until it gets a rule)
//
// Component names, the site title and time zone come from the config, so
// the config fingerprint covers them. The clock reaches pages only through
// an incident's phase and status word (Incident.PhaseAt and StatusAt) and
// a component's probe data and daily bars, which is why those, and not the
// time, are in the fingerprints. The API and calendar are small and
// always rendered.
//
// A site's own page templates (overrides in templates/ that differ from
// the built-in theme) may read any part of the snapshot, so with one of
// them every HTML page is rendered every time and only feeds are reused. These rules mirror what
// generator/render and generator/feed read; when a template or the
// snapshot changes, change them too. TestBuilderMatchesFullBuild checks
// them against a full build over random edits.
//
// A Builder is safe for use by one goroutine at a time.
type Builder struct {
	dir string
	out string
	// Daemon marks builds by herald run, whose index warns when it grows
	// stale even without probes (see status.Options.Daemon).
	Daemon bool

	mu       sync.Mutex
	cfgSum   [32]byte
	theme    *themeEntry
	scanner  *incident.Scanner
	hinted   bool                    // the next build may rescan hints alone (see Changed)
	hints    []string                // paths changed since the last build
	parsed   map[string]*parsedEntry // by incident file
	rendered map[string]renderedFile // by output path
	// versions are the last two versions this Builder published, oldest
	// first, with the bytes of every file in them: the older one is
	// recycled into the next version (see publish.Recycle).
	versions  []publishedVersion
	lastSite  *Site
	cfgParsed bool
	// latency keeps probe latency read from the history store between
	// builds while the config stays the same (latencySum).
	latency    *latencyCache
	latencySum [32]byte
}

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

type publishedVersion struct {
	dir      string
	files    map[string]renderedFile // by path
	manifest []byte
}

type renderedFile struct {
	fp   [32]byte
	data []byte
}

// NewBuilder returns a Builder for the site folder dir that publishes to
// out, or to the config's publish.dir when out is "".
func NewBuilder(dir, out string) *Builder {
	return &Builder{dir: dir, out: out, scanner: incident.NewScanner(dir), parsed: map[string]*parsedEntry{}, rendered: map[string]renderedFile{}}
}

// Changed tells the Builder which paths changed since its last build,
// relative to the site folder and slash-separated, as a file system
// watcher reports them (created, written, removed or renamed files and
// folders). The next Build then looks at those incident files alone
// instead of every one; a Build with no Changed before it looks at every
// file, so a caller that may have missed events (a watcher's queue
// overflowed) just does not call Changed.
func (b *Builder) Changed(paths []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hinted = true
	b.hints = append(b.hints, paths...)
}

// Load is [Load] with the Builder's caches: it reparses only incidents
// whose files changed since the last call, and rebuilds the renderer only
// when the templates changed. Errors are the same as Load's.
func (b *Builder) Load(ctx context.Context) (*Site, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, _, err := b.load(ctx)
	return s, err
}

// loadState is what one load learnt beyond the Site, for fingerprints.
type loadState struct {
	cfgSum, themeSum [32]byte
	overrides        bool
}

func (b *Builder) load(ctx context.Context) (*Site, *loadState, error) {
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
	ins, err := b.loadIncidents(ctx, cfg)
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
	}
	return &Site{Config: cfg, Incidents: ins, Renderer: theme.r, latency: b.latency}, st, nil
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
// cache.
func (b *Builder) loadIncidents(ctx context.Context, cfg *config.Config) ([]*incident.Incident, error) {
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
	return incident.Collect(ctx, sources, scanErr, func(ctx context.Context, sources []incident.Source) ([]*incident.Incident, []error, error) {
		return b.parse(ctx, incident.NewParser(cfg), sources)
	})
}

// parse is incident.ParseAll with a cache keyed by file, slug and bytes:
// it parses only the sources that changed since the last call.
func (b *Builder) parse(ctx context.Context, p *incident.Parser, sources []incident.Source) ([]*incident.Incident, []error, error) {
	ins := make([]*incident.Incident, len(sources))
	errs := make([]error, len(sources))
	var todo []incident.Source
	var todoAt []int
	seen := make(map[string]bool, len(sources))
	for i, src := range sources {
		seen[src.File] = true
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
	for file := range b.parsed {
		if !seen[file] {
			delete(b.parsed, file)
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

// fpHash gathers what a fingerprint covers in a buffer and hashes it in
// one go: a fingerprint is made of thousands of short strings, and a
// hash.Hash call for each cost more than the hashing.
type fpHash struct{ buf []byte }

// str adds s with its length first, as writeString does.
func (h *fpHash) str(s string) {
	h.buf = binary.BigEndian.AppendUint64(h.buf, uint64(len(s)))
	h.buf = append(h.buf, s...)
}

func (h *fpHash) sum32(b [32]byte) { h.buf = append(h.buf, b[:]...) }

func (h *fpHash) u64(n uint64) { h.buf = binary.BigEndian.AppendUint64(h.buf, n) }

func (h *fpHash) sum() [32]byte { return sha256.Sum256(h.buf) }

// Build loads the site as it is on disk now, renders what changed since
// the last successful build and publishes it atomically. On an error the
// published site is untouched; the error is a diag.List when the site's
// files are at fault, as with [Load].
func (b *Builder) Build(ctx context.Context, now time.Time) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, st, err := b.load(ctx)
	if err != nil {
		return nil, err
	}
	out := b.out
	if out == "" {
		out = s.Config.PublishDir()
	}
	snap, files, err := s.files(ctx, now, b.Daemon)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	fps := newFingerprints(snap, st)
	next := make([]renderedFile, len(files))
	reuse := make([]bool, len(files))
	for i, f := range files {
		fp, ok := fps.of(f)
		next[i].fp = fp
		if !ok {
			continue
		}
		if old, found := b.rendered[f.Path]; found && old.fp == fp {
			next[i].data = old.data
			reuse[i] = true
		}
	}
	// Render before touching the output, so that a template error leaves
	// the recycled version (below) intact for the next build.
	var todo []render.File
	index := map[string]int{}
	for i, f := range files {
		if !reuse[i] {
			todo = append(todo, f)
			index[f.Path] = i
		}
	}
	var mu sync.Mutex
	err = renderAll(ctx, todo, func(p string, data []byte) error {
		i := index[p]
		kept := bytes.Clone(data) // data is the pool's buffer
		if old, ok := b.rendered[p]; ok && bytes.Equal(old.data, kept) {
			kept = old.data // one copy of bytes that did not change
		}
		mu.Lock()
		next[i].data = kept
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	stage, base, err := b.begin(out)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	kept := make(map[string]renderedFile, len(files))
	var changed []int // what the recycled version lacks
	for i, f := range files {
		kept[f.Path] = next[i]
		if old, ok := base.files[f.Path]; !ok || !bytes.Equal(old.data, next[i].data) {
			changed = append(changed, i)
		}
	}
	man := manifest(files)
	write := func(p string, data []byte) error {
		if p == ManifestName && bytes.Equal(base.manifest, data) {
			return nil
		}
		return stage.WriteFile(p, data)
	}
	res, err := commitFiles(stage, out, files, man, write, func(write func(string, []byte) error) error {
		err := parallel.For(ctx, len(changed), 2*runtime.GOMAXPROCS(0), func(k int) error {
			i := changed[k]
			if err := write(files[i].Path, next[i].data); err != nil {
				return fmt.Errorf("write %s: %w", files[i].Path, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for p := range base.files {
			if _, ok := kept[p]; !ok {
				if err := stage.Remove(p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		// The recycled version is gone with the stage.
		b.versions = nil
		return nil, err
	}
	res.Incidents = len(s.Incidents)
	res.Reused = len(files) - len(todo)
	res.Rendered = len(todo)
	b.rendered = kept
	b.lastSite = s
	b.versions = append(b.versions, publishedVersion{dir: res.Version, files: kept, manifest: man})
	if len(b.versions) > 2 {
		b.versions = b.versions[len(b.versions)-2:]
	}
	res.Snapshot = snap
	return res, nil
}

// begin starts the stage of the next version. When the Builder published
// the current version and the one before it, it recycles the older one
// and returns what that holds, so that only the files that differ are
// written; otherwise it begins an empty stage, and returns an empty
// version.
func (b *Builder) begin(out string) (*publish.Stage, publishedVersion, error) {
	if n := len(b.versions); n > 0 {
		if cur, err := publish.Current(out); err != nil || cur != b.versions[n-1].dir {
			// Another publisher has been at work: what we know is stale.
			b.versions = nil
		}
	}
	if len(b.versions) == 2 {
		if st, err := publish.Recycle(out, b.versions[0].dir); err == nil {
			return st, b.versions[0], nil
		}
		b.versions = b.versions[1:]
	}
	st, err := publish.Begin(out)
	return st, publishedVersion{}, err
}

// Site returns the site of the last successful build, or nil.
func (b *Builder) Site() *Site {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastSite
}

// fingerprints computes, per output path, the hash of what its file is
// rendered from; see the dependency rules on [Builder].
type fingerprints struct {
	snap   *status.Snapshot
	st     *loadState
	bySlug map[string]*incident.Incident
	// clocked is, by incident, the hash of its content and of what the
	// clock makes of it.
	clocked map[*incident.Incident][32]byte
	h       fpHash // of's buffer, reused
}

func newFingerprints(snap *status.Snapshot, st *loadState) *fingerprints {
	f := &fingerprints{snap: snap, st: st, bySlug: make(map[string]*incident.Incident, len(snap.Incidents)), clocked: make(map[*incident.Incident][32]byte, len(snap.Incidents))}
	for _, in := range snap.Incidents {
		f.bySlug[in.Slug] = in
	}
	return f
}

// of returns the fingerprint of the file at p, and false when the file
// must be rendered whatever its inputs.
func (f *fingerprints) of(file render.File) ([32]byte, bool) {
	p := file.Path
	h := &f.h
	h.buf = h.buf[:0]
	h.sum32(f.st.cfgSum)
	h.sum32(f.st.themeSum)
	h.str(p)
	var zero [32]byte
	done := func() ([32]byte, bool) { return h.sum(), true }
	if file.Key != "" {
		// The file names its inputs itself (see render.File.Key).
		h.str(file.Key)
		return done()
	}
	html := strings.HasSuffix(p, ".html")
	if html && f.st.overrides {
		return zero, false
	}
	switch {
	case p == "404.html":
		return done()

	case strings.HasPrefix(p, "incidents/") && strings.HasSuffix(p, "/index.html"):
		in := f.bySlug[strings.TrimSuffix(strings.TrimPrefix(p, "incidents/"), "/index.html")]
		if in == nil {
			return zero, false
		}
		f.incident(h, in, true)
		return done()

	case p == "history/index.html" || strings.HasPrefix(p, "history/page/") && strings.HasSuffix(p, "/index.html"):
		n := 1
		if p != "history/index.html" {
			var err error
			n, err = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "history/page/"), "/index.html"))
			if err != nil {
				return zero, false
			}
		}
		ins := f.snap.Incidents
		per := render.HistoryPerPage
		h.str(strconv.Itoa(max(1, (len(ins)+per-1)/per)))
		lo, hi := min((n-1)*per, len(ins)), min(n*per, len(ins))
		for _, in := range ins[lo:hi] {
			f.incident(h, in, true)
		}
		return done()

	case strings.HasPrefix(p, "components/"):
		id, file, ok := strings.Cut(strings.TrimPrefix(p, "components/"), "/")
		c := f.snap.Component(id)
		if !ok || c == nil {
			return zero, false
		}
		switch file {
		case "index.html":
			h.str(string(c.Status))
			for _, in := range c.Incidents {
				f.incident(h, in, true)
			}
			f.probe(h, c)
			return done()
		case "history.rss", "history.atom", "history.json":
			f.feed(h, c.Incidents)
			return done()
		}
		return zero, false

	case p == "history.rss" || p == "history.atom" || p == "history.json":
		f.feed(h, f.snap.Incidents)
		return done()
	}
	return zero, false
}

// probe adds what a component page shows of its probes: the probe state,
// each day's bar (its label names the date, uptime, downtime and
// incidents; its class the colour), the uptime periods and the latency
// histograms, and for a monitored component the hour its charts end at.
// The bars move with the date, so a page is rendered anew once
// a day even when nothing else changes.
func (f *fingerprints) probe(h *fpHash, c *status.Component) {
	h.str(string(c.Probe))
	if c.Monitored {
		// The response-time charts' axes are hours of the site's clock.
		h.str(f.snap.Now.In(f.snap.Site.Location).Format("2006-01-02 15"))
	}
	for _, d := range c.Days {
		h.str(chart.Class(d))
		h.str(chart.DayLabel(d))
	}
	for _, p := range c.Periods {
		h.str(p.Label + " " + p.Percent())
	}
	for _, l := range c.Latency {
		// Binary, and counted: 100 components have 216,000 hours of
		// counts in 90 days, too many to format as text every build.
		h.u64(uint64(l.Hour.UnixNano()))
		h.u64(uint64(len(l.Counts)))
		for _, n := range l.Counts {
			h.u64(n)
		}
	}
}

// incident adds an incident to h: its content and, with clock, what the
// clock makes of it.
func (f *fingerprints) incident(h *fpHash, in *incident.Incident, clock bool) {
	if !clock {
		h.sum32(in.Sum)
		return
	}
	// An incident is listed on several pages: work its state out once.
	sum, ok := f.clocked[in]
	if !ok {
		var c fpHash
		c.sum32(in.Sum)
		c.str(string(in.PhaseAt(f.snap.Now)))
		c.str(in.StatusAt(f.snap.Now))
		sum = c.sum()
		f.clocked[in] = sum
	}
	h.sum32(sum)
}

// feed adds the incidents a feed lists: the first feeds.items of ins.
func (f *fingerprints) feed(h *fpHash, ins []*incident.Incident) {
	if n := f.snap.Site.FeedItems; len(ins) > n {
		ins = ins[:max(n, 0)]
	}
	h.str(strconv.Itoa(len(ins)))
	for _, in := range ins {
		f.incident(h, in, false)
	}
}
