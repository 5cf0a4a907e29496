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
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/generator/render"
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
//   - Every rendered file that has a Key is kept, by path, with its
//     fingerprint: the config and theme fingerprints and its Key. When
//     the fingerprint of the same path is unchanged at the next build,
//     the kept bytes are published again without rendering.
//
// # Dependency rules
//
// Each file's maker says what its bytes depend on, beyond the path, the
// config and the theme, in the file's Key (see render.File.Key): pages
// (generator/render), feeds (generator/feed) and badges. A file without
// a Key is rendered every time: the index, which states the build time;
// the assets, the API and the calendar, which are small; and any file a
// later feature adds until its maker gives it a Key.
//
// A site's own page templates (overrides in templates/ that differ from
// the built-in theme) may read any part of the snapshot, so with one of
// them every HTML page is rendered every time whatever its Key.
// TestBuilderMatchesFullBuild checks the Keys against a full build over
// random edits.
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
	fp   fingerprint
	data []byte
}

// fingerprint is what a kept file was rendered from, beyond its path.
type fingerprint struct {
	cfg, theme [32]byte
	key        string // the file's Key
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

// fingerprint returns the fingerprint of f, and false when f must be
// rendered whatever its inputs: it has no Key, or it is a page and the
// site overrides page templates, which may read any part of the snapshot.
func (st *loadState) fingerprint(f render.File) (fingerprint, bool) {
	if f.Key == "" || st.overrides && strings.HasSuffix(f.Path, ".html") {
		return fingerprint{}, false
	}
	return fingerprint{cfg: st.cfgSum, theme: st.themeSum, key: f.Key}, true
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
	next := make([]renderedFile, len(files))
	reuse := make([]bool, len(files))
	for i, f := range files {
		fp, ok := st.fingerprint(f)
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
