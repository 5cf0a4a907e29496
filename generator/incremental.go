package generator

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/report"
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
//   - Each component's days before today (status.DayCache) are kept
//     while the day, its incidents and its probe intervals before today
//     stay the same; only today is worked out again.
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
// On a site of several languages, each language's files are kept by their
// own paths (de/…), and an incident's part of their Keys is its SumFor
// that language (incident.Incident.In): an edit of x.de.md is news to the
// German files alone, and an edit of x.md to every language's.
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
	// Record is Options.Record for every build.
	Record bool

	mu       sync.Mutex
	cfgSum   [32]byte
	theme    *themeEntry
	scanner  *incident.Scanner
	hinted   bool                    // the next build may rescan hints alone (see Changed)
	hints    []string                // paths changed since the last build
	parsed   map[string]*parsedEntry // by incident file
	rendered fileTable               // the last build's files
	// versions are the last two versions this Builder published, oldest
	// first, with the bytes of every file in them: the older one is
	// recycled into the next version (see publish.Recycle).
	versions []publishedVersion
	// paths are the last build's files, in its order; at is the index of
	// each in paths, and man their manifest (see listOf).
	paths     []string
	at        map[string]int
	man       []byte
	lastSite  *Site
	cfgParsed bool
	// latency keeps probe latency read from the history store between
	// builds while the config stays the same (latencySum).
	latency    *latencyCache
	reports    *report.Cache
	records    report.RecordCache // keyed by the file, so kept across configs
	days       *status.DayCache
	latencySum [32]byte
	store      keptStore // the history store, open across builds until Close
}

type publishedVersion struct {
	dir      string
	files    fileTable
	manifest []byte
}

// fileTable is the files of one build: each at its index in the build's
// list of paths, found by path through at. Builds whose lists are the
// same share paths and at, and then look a file up by its index alone:
// an edit or a timer tick seldom adds or removes a file, and hashing
// 6,000 paths into maps took a large site's rebuild milliseconds.
type fileTable struct {
	paths []string       // never changed once made
	at    map[string]int // the index of each of paths
	files []renderedFile
}

// lookup returns the file at path p, which is at index i of paths.
func (t fileTable) lookup(paths []string, i int, p string) (renderedFile, bool) {
	if t.sameList(paths) {
		return t.files[i], true
	}
	j, ok := t.at[p]
	if !ok {
		return renderedFile{}, false
	}
	return t.files[j], true
}

// sameList reports whether paths is t's very list.
func (t fileTable) sameList(paths []string) bool {
	return len(paths) > 0 && len(t.paths) == len(paths) && &t.paths[0] == &paths[0]
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
	return &Builder{dir: dir, out: out, scanner: incident.NewScanner(dir), parsed: map[string]*parsedEntry{}}
}

// Close closes what the Builder keeps open across builds: the history
// store. A Build after Close opens it again.
func (b *Builder) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.store.close()
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

// Build loads the site as it is on disk now, renders what changed since
// the last successful build and publishes it atomically. On an error the
// published site is untouched; the error is a diag.List when the site's
// files are at fault, as with [Load].
func (b *Builder) Build(ctx context.Context, now time.Time) (*Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var tm Timings
	lap := time.Now()
	phase := func(d *time.Duration) {
		t := time.Now()
		*d, lap = t.Sub(lap), t
	}
	s, st, err := b.load(ctx, now)
	if err != nil {
		return nil, err
	}
	phase(&tm.Load)
	out, err := outputPath(s.Config, b.out)
	if err != nil {
		return nil, err
	}
	if err := lostIncidents(b.dir, out); err != nil {
		return nil, err
	}
	snap, files, rec, err := s.files(ctx, now, b.Daemon, nil)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	phase(&tm.Snapshot)
	paths, at, man := b.listOf(files)
	next := make([]renderedFile, len(files))
	reuse := make([]bool, len(files))
	for i, f := range files {
		fp, ok := st.fingerprint(f)
		next[i].fp = fp
		if !ok {
			continue
		}
		if old, found := b.rendered.lookup(paths, i, f.Path); found && old.fp == fp {
			next[i].data = old.data
			reuse[i] = true
		}
	}
	// Render before touching the output, so that a template error leaves
	// the recycled version (below) intact for the next build.
	var todo []render.File
	for i, f := range files {
		if !reuse[i] {
			todo = append(todo, f)
		}
	}
	var mu sync.Mutex
	err = renderAll(ctx, todo, func(p string, data []byte) error {
		i := at[p]
		kept := bytes.Clone(data) // data is the pool's buffer
		if old, ok := b.rendered.lookup(paths, i, p); ok && bytes.Equal(old.data, kept) {
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
	phase(&tm.Render)
	stage, base, err := b.begin(out)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	kept := fileTable{paths: paths, at: at, files: next}
	var changed []int // what the recycled version lacks
	for i, f := range files {
		if old, ok := base.files.lookup(paths, i, f.Path); !ok || !bytes.Equal(old.data, next[i].data) {
			changed = append(changed, i)
		}
	}
	write := func(p string, data []byte) error {
		if p == publish.ManifestName && bytes.Equal(base.manifest, data) {
			return nil
		}
		return stage.WriteFile(p, data)
	}
	res, err := commitFiles(stage, out, files, man, write, func(write func(string, []byte) error) error {
		err := parallel.For(ctx, len(changed), 2*runtime.GOMAXPROCS(0), func(k int) error {
			i := changed[k]
			return write(files[i].Path, next[i].data) // its errors name the file
		})
		if err != nil {
			return err
		}
		if !base.files.sameList(paths) {
			for _, p := range base.files.paths {
				if _, ok := at[p]; !ok {
					if err := stage.Remove(p); err != nil {
						return err
					}
				}
			}
		}
		phase(&tm.Write)
		return nil
	})
	phase(&tm.Commit)
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
	res.Timings = tm
	if b.Record {
		if err := report.WriteRecord(s.Config.ReportRecordPath(), rec); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	return res, nil
}

// Timings say where a Builder's build spent its time, from the start of
// Build to the swap of the published version, for herald watch -debug:
// which part an edit waits for.
type Timings struct {
	// Load reads the config, the theme and the incident files, and
	// parses those that changed.
	Load time.Duration
	// Snapshot reads the probe history and works out the snapshot, the
	// reports and every file's Key.
	Snapshot time.Duration
	// Render renders the files whose Key changed or that have none.
	Render time.Duration
	// Write begins the stage (recycling the older version) and writes
	// the files whose bytes changed into it.
	Write time.Duration
	// Commit makes the stage durable, then renames it into place and
	// swaps the published symlink.
	Commit time.Duration
}

// listOf returns the paths of files in order, the index of each and
// their manifest(files): the last build's, kept while the paths stay the
// same, in the same order. An edit or a timer tick seldom adds or removes
// a file, and sorting 6,000 paths at each rebuild cost as much as writing
// the files it changed. A new list is made anew, never in the old one's
// place: the versions' tables hold the old one.
func (b *Builder) listOf(files []render.File) (paths []string, at map[string]int, man []byte) {
	same := len(files) == len(b.paths)
	for i := 0; same && i < len(files); i++ {
		same = files[i].Path == b.paths[i]
	}
	if !same {
		b.paths = make([]string, len(files))
		b.at = make(map[string]int, len(files))
		for i, f := range files {
			b.paths[i] = f.Path
			b.at[f.Path] = i
		}
		b.man = manifest(files)
	}
	return b.paths, b.at, b.man
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
