// Package watch tells when the files of a folder change: it watches the
// folder with fsnotify, filters the events by name, debounces them, and
// lists the paths that changed. Package daemon rebuilds the site on what
// it reports.
//
// It watches directories, never files: editors save by writing a temporary
// file and renaming it over the old one, which would end a watch on the
// file. Events are filtered by name first, so herald's own output, staging
// folders, the history store's side files, dotfiles and editor swap files
// never cause a rebuild, and a rebuild never causes another.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Kind says what a change touches.
type Kind int

const (
	Ignore  Kind = iota // not an input: no watch, no rebuild
	Source              // an input of the site: rebuild
	History             // the probe history store: rebuild on writes only
	Folder              // a folder to watch whose own events do not matter
)

// Filter classifies an absolute path; isDir tells folders from files.
type Filter func(path string, isDir bool) Kind

// Watcher reports debounced changes under a folder tree.
type Watcher struct {
	fw   *fsnotify.Watcher
	root string
	log  io.Writer

	mu       sync.Mutex
	debounce time.Duration
	filter   Filter
	changed  []string // since the last Changes
	lost     bool     // changes were not all recorded since the last Changes
	C        chan struct{}
}

// NewWatcher watches root and every folder under it that filter admits.
// After a burst of events, one value is sent on C once debounce has passed
// without another (a mere 10 ms for a burst that touched one or two paths,
// an editor's save), or at the latest ten debounces (and at least a
// second) after the first, so a steady stream of edits still publishes now
// and then. Errors from fsnotify are written to log.
func NewWatcher(root string, filter Filter, debounce time.Duration, log io.Writer) (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	w := &Watcher{
		fw: fw, root: root, log: log, filter: filter,
		debounce: debounce,
		C:        make(chan struct{}, 1),
	}
	if err := w.AddTree(root); err != nil {
		fw.Close()
		return nil, err
	}
	return w, nil
}

// SetFilter replaces the filter, for instance after the config moved the
// output folder. Folders already watched stay watched; their events go
// through the new filter.
func (w *Watcher) SetFilter(f Filter) {
	w.mu.Lock()
	w.filter = f
	w.mu.Unlock()
}

// SetDebounce changes the quiet time that ends a burst of events.
func (w *Watcher) SetDebounce(d time.Duration) {
	w.mu.Lock()
	w.debounce = d
	w.mu.Unlock()
}

func (w *Watcher) classify(path string, isDir bool) Kind {
	w.mu.Lock()
	f := w.filter
	w.mu.Unlock()
	if path == w.root {
		return Folder
	}
	return f(path, isDir)
}

// AddTree watches dir and every admitted folder below it, for a folder
// that the filter admits only now. A link to a folder is followed where
// the filter admits the link's path, and its events are reported under
// that path (an incidents/ that links to content/incidents, say); each
// folder is watched once, so links that loop end.
func (w *Watcher) AddTree(dir string) error {
	return w.addTree(dir, map[string]bool{})
}

func (w *Watcher) addTree(dir string, seen map[string]bool) error {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		if seen[real] {
			return nil
		}
		seen[real] = true
	}
	// The separator makes WalkDir read dir through a link, as it never
	// does for the folders below.
	return filepath.WalkDir(dir+string(filepath.Separator), func(p string, d fs.DirEntry, err error) error {
		p = filepath.Clean(p)
		if err != nil {
			if p == filepath.Clean(dir) {
				return fmt.Errorf("watch %s: %w", p, err)
			}
			return nil // vanished while walking: its removal is an event too
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() && w.classify(p, true) != Ignore {
				w.addTree(p, seen)
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != filepath.Clean(dir) {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				if seen[real] {
					return fs.SkipDir
				}
				seen[real] = true
			}
		}
		if w.classify(p, true) == Ignore {
			return fs.SkipDir
		}
		if err := w.fw.Add(p); err != nil && p == filepath.Clean(dir) {
			return fmt.Errorf("watch %s: %w", p, err)
		}
		return nil
	})
}

// maxChanges is how many changed paths a Watcher remembers between two
// calls of Changes.
const maxChanges = 1000

// Changes returns the paths changed since the last call, relative to the
// root and slash-separated, each once, and forgets them. complete is false
// when changes were lost (fsnotify's queue overflowed, or there were more
// than maxChanges): only a look at every file then tells what changed.
func (w *Watcher) Changes() (paths []string, complete bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	paths, complete = w.changed, !w.lost
	w.changed, w.lost = nil, false
	return paths, complete
}

// Close stops watching. Run returns when it is called or its context ends.
func (w *Watcher) Close() error { return w.fw.Close() }

// A save is quick to publish: a burst of at most quickEvents events that
// touches at most quickPaths files or folders (an editor's save: the file,
// perhaps a temporary one renamed over it) ends after quickSettle without
// another event. A larger burst (git checkout, rsync, a script writing one
// file in a loop) ends only after the full debounce without another, so
// that it causes one rebuild or two, not one per file or write.
const (
	quickPaths  = 2
	quickEvents = 8
	quickSettle = 10 * time.Millisecond
)

// Run delivers events until ctx is done or the watcher is closed.
func (w *Watcher) Run(ctx context.Context) {
	var (
		timer  *time.Timer
		fire   <-chan time.Time
		first  time.Time
		burst  = map[string]bool{} // paths of the current burst, up to quickPaths+1
		events int                 // in the current burst
	)
	note := func(rel string) {
		w.mu.Lock()
		switch {
		case rel == "":
			w.lost = true
		case slices.Contains(w.changed, rel):
		case len(w.changed) < maxChanges:
			w.changed = append(w.changed, rel)
		default:
			w.lost = true
		}
		debounce := w.debounce
		w.mu.Unlock()
		if len(burst) <= quickPaths {
			burst[rel] = true
		}
		events++
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		quiet := debounce
		if len(burst) <= quickPaths && events <= quickEvents {
			quiet = min(debounce, quickSettle)
		}
		wait := min(quiet, max(10*debounce, time.Second)-now.Sub(first))
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		fire = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fw.Events:
			if !ok {
				return
			}
			if rel, ok := w.handle(ev); ok {
				note(rel)
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return
			}
			fmt.Fprintf(w.log, "watch: %v\n", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: rebuild from what is on disk.
				note("")
			}
		case <-fire:
			fire, first, events = nil, time.Time{}, 0
			clear(burst)
			select {
			case w.C <- struct{}{}:
			default: // one already pending: it covers these changes too
			}
		}
	}
}

// handle filters one event and watches new folders; it reports whether
// the event is a change to rebuild for.
func (w *Watcher) handle(ev fsnotify.Event) (string, bool) {
	if ev.Op == fsnotify.Chmod {
		return "", false // touch, chmod: the bytes did not change
	}
	isDir := false
	if ev.Has(fsnotify.Create) {
		if fi, err := lstatDir(ev.Name); err == nil && fi {
			isDir = true
		}
	}
	kind := w.classify(ev.Name, isDir)
	rel, err := filepath.Rel(w.root, ev.Name)
	if err != nil {
		rel = ev.Name
	}
	rel = filepath.ToSlash(rel)
	switch kind {
	case Ignore:
		return "", false
	case History:
		return rel, ev.Has(fsnotify.Write) || ev.Has(fsnotify.Create)
	case Folder:
		if isDir {
			w.AddTree(ev.Name)
		}
		return "", false
	}
	if isDir {
		// A folder created or moved in: watch it and what it holds; its
		// files may have arrived before the watch did, so rebuild.
		w.AddTree(ev.Name)
	}
	return rel, true
}

// IsEditorLeftover reports names that editors and tools write beside the
// files being edited: swap and backup files, Vim's write test file 4913
// and Emacs's #autosave# files. Dotfiles are left out by the caller.
func IsEditorLeftover(name string) bool {
	switch {
	case strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"), strings.HasSuffix(name, ".swo"),
		strings.HasSuffix(name, "~"), name == "4913",
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.HasSuffix(name, ".tmp"):
		return true
	}
	return false
}

func lstatDir(p string) (bool, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return false, err
	}
	return fi.IsDir(), nil
}
