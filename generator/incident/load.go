package incident

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/internal/parallel"
)

// Dir is the folder, inside a site, that holds incident files.
const Dir = config.IncidentsDir

// MaxFileSize is the largest incident file herald reads. An incident is a
// page of prose; anything bigger is a mistake (a pasted log, a binary).
const MaxFileSize = 1 << 20

const tooBigFix = "an incident is a page of prose: link to long logs instead of pasting them"

// Source is one incident file found on disk, not yet parsed.
type Source struct {
	File string // relative to the site folder, slash-separated
	Slug string
	Data []byte
}

// Scan finds every incident file under siteDir/incidents and reads it.
// It follows symlinks, the incidents folder itself included, that stay
// inside the site folder, and names what it finds through one by the
// link's path. It refuses symlinks that leave the site folder, are broken
// or loop, an incidents that is no folder, names with control characters,
// slugs that collide, files over MaxFileSize and invalid UTF-8, and
// reports every such file, not only the first. A site without an
// incidents folder has no incidents.
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
	root     string // dir's incidents folder
	realSite string
	known    map[string]scanned // every incident file, by path; nil before the first Scan
	links    int                // how many of known are symlinks
	order    []string           // the paths of known in walk order, while !reorder
	reorder  bool               // files came or went since order was made
	// walking: a whole Scan's walk is under way, which lists in order
	// every path it finds, in the walk's order: sources needs no sort.
	walking bool
	// scanAll: what the last scan found changes with no event under
	// incidents/ (a folder reached through a symlink), or incidents is no
	// folder, so Rescan scans everything.
	scanAll bool
	// through: the real folders a scan entered through a symlink, and the
	// path it read each as. A folder is read through links once, so
	// that links to links cannot multiply the work.
	through map[string]string
	// pending: the incident files a walk found, read once it is done, on
	// every core, since reading thousands of files one by one would keep
	// one core busy while the other waits for the parse.
	pending []visit
}

// visit is an incident file a walk found and has yet to read. What the
// last scan knew of it is looked up as it is read: a copy of it in each
// visit made the list three times the size to grow.
type visit struct {
	p, rel string
	typ    fs.FileMode // as the walk found it
}

type scanned struct {
	rel  string
	id   fileID
	data []byte // normalized
	// fold is the slug with its case folded (foldCase), for sources'
	// check of slugs that differ only in case: worked out when the file
	// is read, not at every scan of thousands of files.
	fold string
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
	return &Scanner{dir: siteDir, root: filepath.Join(siteDir, Dir)}
}

// Scan is [Scan] with the Scanner's memory.
func (sc *Scanner) Scan() ([]Source, error) {
	realSite, err := filepath.EvalSymlinks(sc.dir)
	if err != nil {
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	sc.realSite = realSite
	old := sc.known
	sc.known, sc.links = make(map[string]scanned, len(old)), 0
	sc.scanAll = false
	clear(sc.through)
	sc.order = sc.order[:0]
	sc.walking = true
	err = sc.walk(sc.root, old)
	sc.walking = false
	if err != nil {
		sc.known, sc.links = nil, 0
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	sc.reorder = false
	return sc.sources()
}

// Rescan is Scan for a caller that knows what changed since the last Scan
// or Rescan: changed lists every path, relative to the site folder and
// slash-separated, that was created, written, removed or renamed since
// (folders included; a path outside incidents/ is ignored). Rescan looks
// at those paths only, and at incident files that are symlinks. Without
// an earlier Scan, with many changes, or when files are reached through a
// folder symlink (whose files change with no event under incidents/), it
// scans everything.
func (sc *Scanner) Rescan(changed []string) ([]Source, error) {
	if sc.known == nil || sc.scanAll || len(changed) > maxRescan {
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
		// replaced: forget it and look again. A known path is a file,
		// with nothing known below it: an edit, the common case, needs
		// no look through every file the site has.
		old := map[string]scanned{}
		if v, ok := sc.known[p]; ok {
			old[p] = v
			sc.forget(p)
		} else {
			below := p + string(filepath.Separator)
			for k, v := range sc.known {
				if strings.HasPrefix(k, below) {
					old[k] = v
					sc.forget(k)
				}
			}
		}
		if _, err := os.Lstat(p); err == nil {
			if err := sc.walk(p, old); err != nil {
				return nil, fmt.Errorf("scan incidents: %w", err)
			}
		}
		sc.noteGone(old)
	}
	// Symlinks, whose targets can change with no event, are looked at
	// again; a site without one is spared a look through every file.
	for p, k := range sc.known {
		if sc.links == 0 {
			break
		}
		if k.link {
			sc.forget(p)
			if err := sc.walk(p, map[string]scanned{p: k}); err != nil {
				return nil, fmt.Errorf("scan incidents: %w", err)
			}
		}
	}
	if sc.scanAll {
		return sc.Scan() // a folder symlink came
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

// walk records every incident file at or below p, reusing what old knew
// of a file that did not change.
func (sc *Scanner) walk(p string, old map[string]scanned) error {
	info, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a site with no incidents yet, or removed since: its event comes later
	}
	if err != nil {
		return err
	}
	sc.pending = sc.pending[:0]
	err = sc.enter(p, info.Mode().Type(), old)
	found := make([]scanned, len(sc.pending))
	// visit reads only what the walk has fixed (sc.realSite, old), so the
	// visits can run concurrently; put, which writes the scanner, cannot.
	_ = parallel.For(context.Background(), len(sc.pending), runtime.GOMAXPROCS(0), func(i int) error {
		v := sc.pending[i]
		found[i] = sc.visit(v.p, v.rel, v.typ, old[v.p])
		return nil
	})
	if len(sc.known) == 0 {
		// A first scan: the map takes every file at once, not grown.
		sc.known = make(map[string]scanned, len(sc.pending))
	}
	for i, v := range sc.pending {
		sc.put(v.p, old, found[i])
	}
	clear(sc.pending) // keep no file's data alive through the scanner
	sc.pending = sc.pending[:0]
	return err
}

// enter records what p, of type typ, holds: an incident file, or the
// incident files of a folder or of a symlink to one.
func (sc *Scanner) enter(p string, typ fs.FileMode, old map[string]scanned) error {
	name := filepath.Base(p)
	if p == sc.root && !typ.IsDir() {
		sc.scanAll = true
	} else if p != sc.root && hidden(name) {
		return nil
	}
	link := typ&fs.ModeSymlink != 0
	switch {
	case typ.IsDir():
		return sc.walkDir(p, old)
	case link && (p == sc.root || !strings.HasSuffix(name, ".md")):
		return sc.enterLink(p, old)
	case p == sc.root:
		sc.list(p)
		sc.put(p, old, scanned{rel: Dir, err: notFolder()})
	case strings.HasSuffix(name, ".md"):
		sc.list(p)
		sc.pending = append(sc.pending, visit{p: p, rel: sc.rel(p), typ: typ})
	}
	return nil
}

// enterLink records the incident files of the folder the symlink p points
// to, as if they were in p, or what is wrong with the link. A link to a
// file whose name does not end in .md is not read.
func (sc *Scanner) enterLink(p string, old map[string]scanned) error {
	rel := sc.rel(p)
	fail := func(e *diag.Error) {
		sc.list(p)
		sc.put(p, old, scanned{rel: rel, err: e, link: true})
	}
	target, e := sc.resolve(p, rel)
	if e != nil {
		fail(e)
		return nil
	}
	info, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // removed since: its event comes later
	case err != nil:
		return err
	case !info.IsDir() && p == sc.root:
		fail(notFolder())
	case !info.IsDir():
		// A file whose name does not end in .md, like any other: not read.
	case sc.loops(p, target):
		fail(diag.Errorf(shown(rel), 1, 1, "symlink loop: it points to %s, which it is in", target).WithFix("point it at a folder that does not hold it, or remove it"))
	case sc.through[target] != "":
		fail(diag.Errorf(shown(rel), 1, 1, "symlink to a folder already read as %s", shown(sc.through[target])).WithFix("remove one of the links: each would list every file again"))
	default:
		sc.scanAll = true
		if sc.through == nil {
			sc.through = map[string]string{}
		}
		sc.through[target] = rel
		return sc.walkDir(p, old)
	}
	return nil
}

func notFolder() *diag.Error {
	return diag.Errorf(Dir, 1, 1, "not a folder").WithFix("incident files go in a folder named %s", Dir)
}

// walkDir enters everything in the folder p.
func (sc *Scanner) walkDir(p string, old map[string]scanned) error {
	entries, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // removed since: its event comes later
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := sc.enter(filepath.Join(p, e.Name()), e.Type(), old); err != nil {
			return err
		}
	}
	return nil
}

// loops reports whether following the folder symlink p to target would
// walk again a folder that p is in: target is, or holds, the real folder
// of one of p's parents up to incidents/.
func (sc *Scanner) loops(p, target string) bool {
	for q := p; q != sc.root && q != filepath.Dir(q); {
		q = filepath.Dir(q)
		if real, err := filepath.EvalSymlinks(q); err == nil && inside(target, real) {
			return true
		}
	}
	return false
}

// resolve follows the symlink p, whose path relative to the site folder
// is rel, to an existing path inside the site folder.
func (sc *Scanner) resolve(p, rel string) (string, *diag.Error) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", diag.Errorf(shown(rel), 1, 1, "broken symlink: %v", err).WithFix("point it at an existing file or folder, or remove it")
	}
	if !inside(sc.realSite, target) {
		return "", diag.Errorf(shown(rel), 1, 1, "symlink points outside the site folder, to %s", target).WithFix("copy the files into the site folder instead")
	}
	return target, nil
}

// list notes p, which a walk found, in sc.order during a whole Scan: the
// walk enters each folder's names in lexical order, and so lists the
// paths in sources' order, as sorting them again would (a tenth of a
// first scan's CPU on a large site, all of it on one core).
func (sc *Scanner) list(p string) {
	if sc.walking {
		sc.order = append(sc.order, p)
	}
}

// put records what the scan found at p.
func (sc *Scanner) put(p string, old map[string]scanned, s scanned) {
	if _, ok := old[p]; !ok {
		sc.reorder = true // new
	}
	if prev, ok := sc.known[p]; ok && prev.link {
		sc.links--
	}
	if s.link {
		sc.links++
	}
	sc.known[p] = s
}

// forget removes p from what the scan knows.
func (sc *Scanner) forget(p string) {
	if sc.known[p].link {
		sc.links--
	}
	delete(sc.known, p)
}

// rel is p relative to the site folder, slash-separated.
func (sc *Scanner) rel(p string) string {
	rel, _ := filepath.Rel(sc.dir, p)
	return filepath.ToSlash(rel)
}

// visit reads the incident file at p, of type typ as the walk found it,
// or finds what is wrong with it; old is what the last scan knew of it.
func (sc *Scanner) visit(p, rel string, typ fs.FileMode, old scanned) scanned {
	link := typ&fs.ModeSymlink != 0
	fail := func(e *diag.Error) scanned { return scanned{rel: rel, err: e, link: link} }
	file := shown(rel)
	if i := strings.IndexFunc(rel, unicode.IsControl); i >= 0 {
		// Names become addresses, feed ids and calendar UIDs, where a
		// control character is invalid or ends a line.
		r, _ := utf8.DecodeRuneInString(rel[i:])
		what := "file"
		if i < len(rel)-len(path.Base(rel)) {
			what = "folder"
		}
		return fail(diag.Errorf(file, 1, 1, "invalid name: control character %U", r).WithFix("rename the %s without control characters", what))
	}
	if link {
		target, e := sc.resolve(p, rel)
		if e != nil {
			return fail(e)
		}
		// What the link resolves to is read as any file the walk found:
		// its type known before it is opened, never through a link.
		info, err := os.Lstat(target)
		if err != nil {
			return fail(diag.Errorf(file, 1, 1, "cannot read: %v", err))
		}
		p, typ = target, info.Mode().Type()
	}
	// Only a regular file is opened: opening a device can act on it.
	if !typ.IsRegular() {
		return fail(notRegular(file))
	}
	if old.data != nil && !old.racy {
		// A file read before most likely did not change: a stat tells,
		// with no open.
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() && idOf(info) == old.id {
			return old
		}
	}
	start := time.Now()
	id, data, err := readFile(p, MaxFileSize)
	switch {
	case errors.Is(err, errNotRegular):
		return fail(notRegular(file))
	case err != nil:
		return fail(diag.Errorf(file, 1, 1, "cannot read: %v", err))
	case id.size > MaxFileSize:
		return fail(diag.Errorf(file, 1, 1, "file is %d bytes, over the %d byte limit", id.size, MaxFileSize).WithFix(tooBigFix))
	case len(data) > MaxFileSize:
		return fail(diag.Errorf(file, 1, 1, "file grew over the %d byte limit while it was read", MaxFileSize).WithFix(tooBigFix))
	}
	data, err = normalize(rel, data)
	if err != nil {
		return fail(err.(*diag.Error))
	}
	return scanned{rel: rel, id: id, data: data, fold: foldCase(slugOf(rel)), link: link, racy: start.Sub(time.Unix(0, id.mtime)) <= racyWindow}
}

// errNotRegular is readFile's error for a file that is no regular file.
var errNotRegular = errors.New("not a regular file")

func notRegular(file string) *diag.Error {
	return diag.Errorf(file, 1, 1, "not a regular file").WithFix("incident files must be plain files or symlinks to them")
}

// sources lists what the scanner knows, in the order filepath.WalkDir
// visits files, with every problem found.
func (sc *Scanner) sources() ([]Source, error) {
	if sc.reorder || len(sc.order) != len(sc.known) {
		// WalkDir's lexical order: folder by folder, name by name, so
		// that the first of two files with one slug is always the same.
		// Each path sorts beside its rel, not looked up in the map at
		// every comparison.
		type file struct{ p, rel string }
		files := make([]file, 0, len(sc.known))
		for p, k := range sc.known {
			files = append(files, file{p, k.rel})
		}
		slices.SortFunc(files, func(a, b file) int { return walkOrder(a.rel, b.rel) })
		sc.order = make([]string, len(files))
		for i, f := range files {
			sc.order[i] = f.p
		}
		sc.reorder = false
	}
	// Sized at once: grown, they were a tenth of a large site's scan.
	var errs diag.List
	sources := make([]Source, 0, len(sc.order))
	// The first source of each slug with its case folded, by index: one
	// map for both checks, since an earlier file of the very same slug is
	// always the first of its folded slug.
	folded := make(map[string]int, len(sc.order))
	for _, p := range sc.order {
		f := sc.known[p]
		if f.err != nil {
			errs = append(errs, f.err)
			continue
		}
		s := Source{File: f.rel, Slug: slugOf(f.rel), Data: f.data}
		// Both are still returned: a caller shows what parses beside the
		// errors.
		if i, dup := folded[f.fold]; !dup {
			folded[f.fold] = len(sources)
		} else if prev := sources[i]; prev.Slug == s.Slug {
			errs = append(errs, diag.Errorf(s.File, 1, 1, "duplicate slug %q: %s has the same file name", s.Slug, prev.File).WithFix("rename one of them; the slug is the page's URL"))
		} else {
			errs = append(errs, diag.Errorf(s.File, 1, 1, "slug %q differs only in case from %q of %s", s.Slug, prev.Slug, prev.File).WithFix("rename one of them; on a case-insensitive host both are one URL"))
		}
		sources = append(sources, s)
	}
	return sources, errs.Err()
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
