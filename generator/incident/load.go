package incident

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-status/herald/diag"
)

// Dir is the folder, inside a site, that holds incident files.
const Dir = "incidents"

// MaxFileSize is the largest incident file herald reads. An incident is a
// page of prose; anything bigger is a mistake (a pasted log, a binary).
const MaxFileSize = 1 << 20

// Source is one incident file found on disk, not yet parsed.
type Source struct {
	File string // relative to the site folder, slash-separated
	Slug string
	Data []byte
}

// Scan finds every incident file under siteDir/incidents and reads it. It
// refuses symlinks that leave the site folder, files over MaxFileSize and
// invalid UTF-8, and reports every such file, not only the first.
func Scan(siteDir string) ([]Source, error) {
	return NewScanner(siteDir).Scan()
}

// A Scanner scans one site folder again and again, as herald watch does,
// and reads only the files that changed: a file whose size, modification
// time and (where the system has them) inode and change time are those of
// the last scan is not read again, and its Source keeps the very same Data.
// A file modified within a second of being read is read again at the next
// scan all the same, because a second write within the file system's
// timestamp granularity would leave its times unchanged.
//
// [Scanner.Rescan] goes further for a caller that is told which paths
// changed (a file system watcher): it looks at those paths alone.
type Scanner struct {
	dir      string
	realSite string
	known    map[string]scanned // every incident file, by path; nil before the first Scan
	order    []string           // the paths of known in WalkDir order, while !reorder
	reorder  bool               // files came or went since order was made
}

type scanned struct {
	rel  string
	id   fileID
	data []byte // normalized
	err  *diag.Error
	// racy: modified too recently for id to tell a later change.
	racy bool
	// link: a symlink, whose target can change with no event on its name.
	link bool
}

// fileID is what tells that a file did not change since it was read.
type fileID struct {
	size         int64
	mtime, ctime int64 // ns
	dev, ino     uint64
}

// racyWindow is how recent a modification must be for a file to be read
// again even though its fileID is unchanged.
const racyWindow = time.Second

// maxRescan is how many changed paths Rescan looks at one by one; more,
// and a whole Scan is as cheap.
const maxRescan = 64

// NewScanner returns a Scanner of the site folder siteDir.
func NewScanner(siteDir string) *Scanner {
	return &Scanner{dir: siteDir}
}

// Scan is [Scan] with the Scanner's memory.
func (sc *Scanner) Scan() ([]Source, error) {
	realSite, err := filepath.EvalSymlinks(sc.dir)
	if err != nil {
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	sc.realSite = realSite
	old := sc.known
	sc.known = make(map[string]scanned, len(old))
	if err := sc.walk(filepath.Join(sc.dir, Dir), old); err != nil {
		sc.known = nil
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	sc.noteGone(old)
	return sc.sources()
}

// Rescan is Scan for a caller that knows what changed since the last Scan
// or Rescan: changed lists every path, relative to the site folder and
// slash-separated, that was created, written, removed or renamed since
// (folders included; a path outside incidents/ is ignored). Rescan looks
// at those paths only, and at incident files that are symlinks. Without
// an earlier Scan, or with many changes, it scans everything.
func (sc *Scanner) Rescan(changed []string) ([]Source, error) {
	if sc.known == nil || len(changed) > maxRescan {
		return sc.Scan()
	}
	for _, rel := range changed {
		rel = path.Clean(rel)
		if rel == Dir || rel == "." {
			return sc.Scan()
		}
		inner, ok := strings.CutPrefix(rel, Dir+"/")
		if !ok || hiddenPath(inner) {
			continue
		}
		p := filepath.Join(sc.dir, filepath.FromSlash(rel))
		// What was there, a file or a whole folder, may be gone or
		// replaced: forget it and look again.
		old := map[string]scanned{}
		for k, v := range sc.known {
			if k == p || strings.HasPrefix(k, p+string(filepath.Separator)) {
				old[k] = v
				delete(sc.known, k)
			}
		}
		if _, err := os.Lstat(p); err == nil {
			if err := sc.walk(p, old); err != nil {
				return nil, fmt.Errorf("scan incidents: %w", err)
			}
		}
		sc.noteGone(old)
	}
	for p, k := range sc.known {
		if k.link {
			delete(sc.known, p)
			if err := sc.walk(p, map[string]scanned{p: k}); err != nil {
				return nil, fmt.Errorf("scan incidents: %w", err)
			}
		}
	}
	return sc.sources()
}

// noteGone notes whether a file of old is no longer known.
func (sc *Scanner) noteGone(old map[string]scanned) {
	for p := range old {
		if _, ok := sc.known[p]; !ok {
			sc.reorder = true
			return
		}
	}
}

// hiddenPath reports whether a slash-separated path below incidents/ has
// a component that Scan skips: dotfiles and names starting with "_".
func hiddenPath(rel string) bool {
	for _, c := range strings.Split(rel, "/") {
		if strings.HasPrefix(c, ".") || strings.HasPrefix(c, "_") {
			return true
		}
	}
	return false
}

// walk records every incident file at or below p, reusing what old knew
// of a file that did not change.
func (sc *Scanner) walk(p string, old map[string]scanned) error {
	root := filepath.Join(sc.dir, Dir)
	return filepath.WalkDir(p, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if p == root {
					return fs.SkipAll // a site with no incidents yet
				}
				return nil // removed while walking: its event comes later
			}
			return err
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(name, ".md") {
			return nil
		}
		rel, _ := filepath.Rel(sc.dir, p)
		was, ok := old[p]
		if !ok {
			sc.reorder = true // a new file
		}
		sc.known[p] = sc.visit(p, filepath.ToSlash(rel), d.Type()&fs.ModeSymlink != 0, was)
		return nil
	})
}

// visit reads the incident file at p, or finds what is wrong with it;
// old is what the last scan knew of it.
func (sc *Scanner) visit(p, rel string, link bool, old scanned) scanned {
	fail := func(e *diag.Error) scanned { return scanned{rel: rel, err: e, link: link} }
	if link {
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return fail(diag.Errorf(rel, 1, 1, "broken symlink: %v", err).WithFix("point it at an existing file or remove it"))
		}
		if !inside(sc.realSite, target) {
			return fail(diag.Errorf(rel, 1, 1, "symlink points outside the site folder, to %s", target).WithFix("copy the file into the site folder instead"))
		}
	}
	info, err := os.Stat(p)
	if err != nil {
		return fail(diag.Errorf(rel, 1, 1, "cannot read: %v", err))
	}
	if !info.Mode().IsRegular() {
		return fail(diag.Errorf(rel, 1, 1, "not a regular file").WithFix("incident files must be plain files or symlinks to them"))
	}
	if info.Size() > MaxFileSize {
		return fail(diag.Errorf(rel, 1, 1, "file is %d bytes, over the %d byte limit", info.Size(), MaxFileSize).WithFix("an incident is a page of prose: link to long logs instead of pasting them"))
	}
	id := idOf(info)
	if old.data != nil && !old.racy && old.id == id {
		return old
	}
	start := time.Now()
	data, err := os.ReadFile(p)
	if err != nil {
		return fail(diag.Errorf(rel, 1, 1, "cannot read: %v", err))
	}
	data, err = normalize(rel, data)
	if err != nil {
		return fail(err.(*diag.Error))
	}
	return scanned{rel: rel, id: id, data: data, link: link, racy: start.Sub(info.ModTime()) <= racyWindow}
}

// sources lists what the scanner knows, in the order filepath.WalkDir
// visits files, with every problem found.
func (sc *Scanner) sources() ([]Source, error) {
	if sc.reorder || len(sc.order) != len(sc.known) {
		// WalkDir's lexical order: folder by folder, name by name, so
		// that the first of two files with one slug is always the same.
		sc.order = slices.Collect(maps.Keys(sc.known))
		slices.SortFunc(sc.order, func(a, b string) int { return walkOrder(sc.known[a].rel, sc.known[b].rel) })
		sc.reorder = false
	}
	var (
		sources []Source
		errs    diag.List
	)
	first := map[string]string{}
	for _, p := range sc.order {
		f := sc.known[p]
		if f.err != nil {
			errs = append(errs, f.err)
			continue
		}
		s := Source{File: f.rel, Slug: strings.TrimSuffix(path.Base(f.rel), ".md"), Data: f.data}
		if prev, dup := first[s.Slug]; dup {
			// Still returned: a caller shows what parses beside the errors.
			errs = append(errs, diag.Errorf(s.File, 1, 1, "duplicate slug %q: %s has the same file name", s.Slug, prev).WithFix("rename one of them; the slug is the page's URL"))
		} else {
			first[s.Slug] = s.File
		}
		sources = append(sources, s)
	}
	return sources, errs.Err()
}

// walkOrder compares slash-separated paths as filepath.WalkDir orders
// them: by their first differing component.
func walkOrder(a, b string) int {
	for {
		ca, ra, moreA := strings.Cut(a, "/")
		cb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		if !moreA || !moreB {
			return cmp.Compare(len(ra), len(rb)) // one is a prefix folder of the other
		}
		a, b = ra, rb
	}
}

// normalize strips a byte-order mark, turns CRLF into LF and refuses
// invalid UTF-8, naming the line and column of the first bad byte.
func normalize(file string, data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	if utf8.Valid(data) {
		return data, nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil, diag.Errorf(file, line, col, "invalid UTF-8").WithFix("save the file as UTF-8")
}

func inside(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && filepath.IsLocal(rel)
}

// Load scans and parses every incident file of the site, in parallel, and
// returns them newest first. The error, if any, is a diag.List naming every
// problem in every file; the incidents that did parse are returned with it.
func Load(ctx context.Context, siteDir string, p *Parser) ([]*Incident, error) {
	sources, scanErr := Scan(siteDir)
	var errs diag.List
	errs.Add("", scanErr)
	var loadErr error
	if scanErr != nil && !errors.As(scanErr, new(diag.List)) {
		loadErr = scanErr
	}
	out, perFile, err := ParseAll(ctx, p, sources)
	if err != nil {
		return nil, err
	}
	if loadErr != nil {
		return nil, loadErr
	}
	for i, err := range perFile {
		errs.Add(sources[i].File, err)
	}
	out = slices.DeleteFunc(out, func(in *Incident) bool { return in == nil })
	slices.SortFunc(out, Newest)
	return out, errs.Err()
}

// ParseAll parses sources on every core and returns, in the order of
// sources, the incident or the error of each. The error is ctx's, if it
// ended first; the files being parsed then are given up at once.
func ParseAll(ctx context.Context, p *Parser, sources []Source) ([]*Incident, []error, error) {
	out := make([]*Incident, len(sources))
	errs := make([]error, len(sources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(sources), 1)) {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = p.ParseContext(ctx, sources[i].File, sources[i].Slug, sources[i].Data)
			}
		})
	}
feed:
	for i := range sources {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return out, errs, nil
}
