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
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/diag"
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
type Scanner struct {
	dir   string
	known map[string]scanned // by path
}

type scanned struct {
	id   fileID
	data []byte // normalized
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

// NewScanner returns a Scanner of the site folder siteDir.
func NewScanner(siteDir string) *Scanner {
	return &Scanner{dir: siteDir, known: map[string]scanned{}}
}

// read returns the normalized bytes of the file at p, whose os.Stat is
// info, from memory when it did not change since the last scan.
func (sc *Scanner) read(p, rel string, info fs.FileInfo, seen map[string]scanned) ([]byte, error) {
	id := idOf(info)
	if k, ok := sc.known[p]; ok && k.id == id {
		seen[p] = k
		return k.data, nil
	}
	start := time.Now()
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, diag.Errorf(rel, 1, 1, "cannot read: %v", err)
	}
	data, err = normalize(rel, data)
	if err != nil {
		return nil, err
	}
	if start.Sub(info.ModTime()) > racyWindow {
		seen[p] = scanned{id: id, data: data}
	}
	return data, nil
}

// Scan is [Scan] with the Scanner's memory.
func (sc *Scanner) Scan() ([]Source, error) {
	siteDir := sc.dir
	seen := make(map[string]scanned, len(sc.known))
	defer func() { sc.known = seen }()
	root := filepath.Join(siteDir, Dir)
	realSite, err := filepath.EvalSymlinks(siteDir)
	if err != nil {
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	var (
		sources []Source
		errs    diag.List
	)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // a site with no incidents yet
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
		rel, _ := filepath.Rel(siteDir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || !strings.HasSuffix(name, ".md") {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				errs = append(errs, diag.Errorf(rel, 1, 1, "broken symlink: %v", err).WithFix("point it at an existing file or remove it"))
				return nil
			}
			if !inside(realSite, target) {
				errs = append(errs, diag.Errorf(rel, 1, 1, "symlink points outside the site folder, to %s", target).WithFix("copy the file into the site folder instead"))
				return nil
			}
		}
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, diag.Errorf(rel, 1, 1, "cannot read: %v", err))
			return nil
		}
		if !info.Mode().IsRegular() {
			errs = append(errs, diag.Errorf(rel, 1, 1, "not a regular file").WithFix("incident files must be plain files or symlinks to them"))
			return nil
		}
		if info.Size() > MaxFileSize {
			errs = append(errs, diag.Errorf(rel, 1, 1, "file is %d bytes, over the %d byte limit", info.Size(), MaxFileSize).WithFix("an incident is a page of prose: link to long logs instead of pasting them"))
			return nil
		}
		data, err := sc.read(p, rel, info, seen)
		if err != nil {
			errs = append(errs, err.(*diag.Error))
			return nil
		}
		sources = append(sources, Source{File: rel, Slug: strings.TrimSuffix(path.Base(rel), ".md"), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan incidents: %w", err)
	}
	// WalkDir visits in lexical order, so the first of two files with one
	// slug is always the same one.
	first := map[string]string{}
	for _, s := range sources {
		if prev, dup := first[s.Slug]; dup {
			errs = append(errs, diag.Errorf(s.File, 1, 1, "duplicate slug %q: %s has the same file name", s.Slug, prev).WithFix("rename one of them; the slug is the page's URL"))
			continue
		}
		first[s.Slug] = s.File
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
// ended first.
func ParseAll(ctx context.Context, p *Parser, sources []Source) ([]*Incident, []error, error) {
	out := make([]*Incident, len(sources))
	errs := make([]error, len(sources))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(sources), 1)) {
		wg.Go(func() {
			for i := range jobs {
				out[i], errs[i] = p.Parse(sources[i].File, sources[i].Slug, sources[i].Data)
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
