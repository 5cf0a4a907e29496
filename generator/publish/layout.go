package publish

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	stagePrefix = "tmp-"  // stages in the versions directory
	lockName    = ".lock" // in the versions directory

	lockExclusive   = unix.LOCK_EX
	lockNonBlocking = unix.LOCK_NB
)

// layout names the paths that belong to one output path.
type layout struct {
	out      string // absolute output path: /x/public
	parent   string // /x
	base     string // public
	versions string // /x/.public.herald
}

func newLayout(out string) (layout, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return layout{}, fmt.Errorf("resolve output path %q: %w", out, err)
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if parent == abs {
		return layout{}, fmt.Errorf("publish to %s: output path must not be a root directory", abs)
	}
	return layout{
		out:      abs,
		parent:   parent,
		base:     base,
		versions: filepath.Join(parent, "."+base+".herald"),
	}, nil
}

// tmpPrefix starts the names of the temporary symlinks, and of directories
// moved aside during migration, in the parent directory.
func (l layout) tmpPrefix() string { return "." + l.base + ".tmp-" }

// lock serialises publishers of one output path, across goroutines and
// processes alike. flock belongs to the open file, so the kernel releases it
// when a holder is killed. The versions directory must exist.
func (l layout) lock() (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(l.versions, lockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := flock(f, lockExclusive); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return f, nil
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			// The Go runtime's preemption signals interrupt a blocking flock.
			if ferr = unix.Flock(int(fd), how); ferr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	return ferr
}

// restore undoes a migration killed between its two renames (possible only
// without RENAME_EXCHANGE): the output path is missing and the folder that
// was there sits at a temporary name. Moving it back loses nothing. Only a
// folder herald published is moved (ownedDir, with a manifest): another
// name that merely starts like ours is left where it is. The caller holds
// the lock.
func (l layout) restore() error {
	if _, err := os.Lstat(l.out); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	entries, err := os.ReadDir(l.parent)
	if err != nil {
		return fmt.Errorf("restore %s: %w", l.out, err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), l.tmpPrefix()) {
			continue
		}
		aside := filepath.Join(l.parent, e.Name())
		if _, err := os.Lstat(filepath.Join(aside, ManifestName)); err != nil {
			continue
		}
		if ok, err := ownedDir(aside); err != nil || !ok {
			continue
		}
		if err := os.Rename(aside, l.out); err != nil {
			return fmt.Errorf("restore %s: %w", l.out, err)
		}
		return nil
	}
	return nil
}

// sweep removes what killed runs left behind: dead stages, and temporary
// symlinks or moved-aside directories beside the output path. The caller
// holds the lock, so no live publisher is between creating and renaming a
// temporary symlink; live stages hold a flock on their folder and are
// skipped. Beside the output path it removes only what is herald's own
// (see owned): a user's file or folder whose name happens to start like
// ours stays.
func (l layout) sweep() error {
	var errs []error
	entries, err := os.ReadDir(l.versions)
	if err != nil {
		return fmt.Errorf("sweep leftovers: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stagePrefix) {
			if err := removeDeadStage(filepath.Join(l.versions, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	entries, err = os.ReadDir(l.parent)
	if err != nil {
		return fmt.Errorf("sweep leftovers: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), l.tmpPrefix()) {
			continue
		}
		if err := l.removeOwned(filepath.Join(l.parent, e.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sweep leftovers: %w", err)
	}
	return nil
}

// removeOwned removes p if it is herald's own, and leaves it otherwise.
func (l layout) removeOwned(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if ok, err := l.owned(p, fi); err != nil || !ok {
		return err
	}
	return os.RemoveAll(p)
}

// removeDeadStage removes the stage dir unless its owner still holds it.
func removeDeadStage(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		// Not a directory we can open, so not a live stage either.
		return os.RemoveAll(dir)
	}
	defer f.Close()
	if err := flock(f, lockExclusive|lockNonBlocking); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil
		}
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	return os.RemoveAll(dir)
}

// lastVersion returns the highest version number on disk, 0 if none.
func (l layout) lastVersion() (int, error) {
	entries, err := os.ReadDir(l.versions)
	if err != nil {
		return 0, fmt.Errorf("list versions: %w", err)
	}
	last := 0
	for _, e := range entries {
		if n, ok := parseVersion(e.Name()); ok && n > last {
			last = n
		}
	}
	return last, nil
}

// point makes the output path a symlink to target, a path relative to the
// parent directory. It replaces only what vacant accepts. It reports
// whether the output path changed: from then on the new version is live
// and must not be removed. The caller holds the lock.
func (l layout) point(target string) (bool, error) {
	fi, err := l.vacant()
	if err != nil {
		return false, err
	}
	tmp := filepath.Join(l.parent, l.tmpPrefix()+randomSuffix())
	if err := os.Symlink(target, tmp); err != nil {
		return false, fmt.Errorf("create symlink: %w", err)
	}
	if fi != nil && fi.IsDir() {
		err = l.migrate(tmp)
	} else {
		// rename(2) replaces the old link in one step, so every reader
		// resolves one complete version or the other. Should a folder
		// have appeared there since vacant looked, rename fails rather
		// than replace it.
		err = os.Rename(tmp, l.out)
	}
	if err != nil {
		os.Remove(tmp)
		return false, err
	}
	if err := fsync(l.parent); err != nil {
		return true, err
	}
	return true, nil
}

// vacant checks that herald may replace what is at the output path:
// nothing, one of its own symlinks, an empty folder or a folder it
// published (see owned). Anything else may be a user's, and vacant returns
// ErrOutputOccupied. It returns the output path's Lstat, nil if nothing
// is there.
func (l layout) vacant() (fs.FileInfo, error) {
	fi, err := os.Lstat(l.out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inspect output path: %w", err)
	}
	ok, err := l.owned(l.out, fi)
	if err != nil {
		return nil, err
	}
	if !ok {
		// Path first, as the user reads it: "public: exists and was not …".
		return nil, fmt.Errorf("%s: %w", l.out, ErrOutputOccupied)
	}
	return fi, nil
}

// migrate puts the symlink link in place of the real directory at the
// output path, which vacant accepted. The directory ends up under a
// temporary name in the parent, where the sweep that follows removes it
// once it has checked again that it is herald's own.
func (l layout) migrate(link string) error {
	err := exchange(link, l.out)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EOPNOTSUPP) {
		return fmt.Errorf("exchange %s with symlink: %w", l.out, err)
	}
	return l.moveAside(link)
}

// moveAside is migrate without RENAME_EXCHANGE. Between its two renames the
// output path does not exist; restore covers a kill in that window.
func (l layout) moveAside(link string) error {
	aside := filepath.Join(l.parent, l.tmpPrefix()+randomSuffix())
	if err := os.Rename(l.out, aside); err != nil {
		return fmt.Errorf("move %s aside: %w", l.out, err)
	}
	if err := os.Rename(link, l.out); err != nil {
		// Put the old site back rather than leave nothing there.
		if rerr := os.Rename(aside, l.out); rerr != nil {
			return fmt.Errorf("replace %s with symlink: %w (and restore it: %v)", l.out, err, rerr)
		}
		return fmt.Errorf("replace %s with symlink: %w", l.out, err)
	}
	return nil
}

// prune removes every version but keep and the one that was published
// before it (prev, if it is one of ours), then sweeps leftovers. The caller
// holds the lock.
func (l layout) prune(keep, prev string) error {
	prevName := ""
	if filepath.Dir(prev) == l.versions {
		prevName = filepath.Base(prev)
	}
	entries, err := os.ReadDir(l.versions)
	if err != nil {
		return fmt.Errorf("prune versions: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if _, ok := parseVersion(name); !ok || name == keep || name == prevName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(l.versions, name)); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return errors.Join(fmt.Errorf("prune versions: %w", err), l.sweep())
	}
	return l.sweep()
}

func versionName(n int) string { return fmt.Sprintf("v%06d", n) }

// parseVersion reads the number of a version folder name such as v000042.
func parseVersion(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "v")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:]) // never fails; see its documentation
	return hex.EncodeToString(b[:])
}
