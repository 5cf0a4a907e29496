package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/herald-status/herald/generator/internal/parallel"
)

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrOutputOccupied reports that the output path holds something herald
	// did not write: a file, a symlink or a folder that is not its own (see
	// the package doc, Ownership). It is never replaced, because it may be
	// a user's.
	ErrOutputOccupied = errors.New("exists and was not written by herald; move it away or choose another -out or publish.dir")

	// ErrInvalidPath reports a WriteFile path that could escape the stage:
	// it must be relative, slash-separated and clean (see [fs.ValidPath]).
	ErrInvalidPath = errors.New("invalid path (want a clean, relative, slash-separated path)")

	// ErrClosed reports use of a Stage after Commit or Abort.
	ErrClosed = errors.New("stage already committed or aborted")
)

// Stage is a new version being written. Create it with [Begin], fill it with
// [Stage.WriteFile] (or by writing under [Stage.Dir]), then [Stage.Commit]
// or [Stage.Abort] it. A deferred Abort after Commit is a no-op, so
//
//	st, err := publish.Begin(out)
//	if err != nil { … }
//	defer st.Abort()
//
// is the intended shape.
type Stage struct {
	l    layout
	prev string // the version published at Begin; source of hard links, "" if none

	written, linked atomic.Int64

	// mu is held shared by WriteFile and exclusively by Commit and Abort,
	// so a commit never fsyncs and renames a stage still being written.
	mu    sync.RWMutex
	dir   string   // the stage folder; the version folder once renamed
	hold  *os.File // flock on dir: tells other publishers this stage is alive
	state int

	dirs sync.Map // folders already created in the stage, to skip MkdirAll

	// touched holds the files and folders this stage changed, for a
	// Commit that fsyncs only those; nil once there are too many to be
	// worth it, when Commit flushes the whole file system instead.
	touchMu sync.Mutex
	touched map[string]bool
}

// maxTouched is how many changed paths Commit fsyncs one by one; beyond
// it, one syncfs(2) of the file system is cheaper.
const maxTouched = 256

const (
	stageOpen = iota
	stageCommitted
	stageAborted
)

// Begin creates a fresh staging folder for out in its versions directory,
// creating that directory if needed, and removes what killed runs left
// behind. When out holds something herald may not replace, Begin returns
// [ErrOutputOccupied] and creates nothing.
func Begin(out string) (*Stage, error) {
	l, err := newLayout(out)
	if err != nil {
		return nil, err
	}
	// Refuse now, before a whole build and before anything is created
	// beside out; Commit checks again.
	if _, err := l.vacant(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.versions, 0o755); err != nil {
		return nil, fmt.Errorf("create versions directory: %w", err)
	}
	lock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	if err := l.restore(); err != nil {
		return nil, err
	}
	// Leftovers are harmless to a build, and Commit sweeps again and
	// reports what it cannot remove, so a failure here need not stop one.
	_ = l.sweep()

	prev, err := Current(l.out)
	if err != nil {
		return nil, fmt.Errorf("begin stage: %w", err)
	}
	dir := filepath.Join(l.versions, stagePrefix+randomSuffix())
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create stage: %w", err)
	}
	return newStage(l, prev, dir)
}

// Recycle begins a stage from retired, an earlier version of out that is
// no longer published, instead of from an empty folder: the version is
// renamed to a stage, so it keeps its files, and a caller that knows what
// it holds writes and removes only what differs. That makes publishing a
// small change cost a few file operations instead of one per file.
//
// retired must be a version folder of out other than the published one;
// Recycle refuses anything else. Readers still inside it (it was
// published two builds ago) see its files replaced one by one, each
// whole: WriteFile never changes a file in place. The output path itself
// always resolves to a complete version.
func Recycle(out, retired string) (*Stage, error) {
	l, err := newLayout(out)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(retired)
	if err != nil {
		return nil, fmt.Errorf("recycle %s: %w", retired, err)
	}
	if _, ok := parseVersion(filepath.Base(abs)); !ok || filepath.Dir(abs) != l.versions {
		return nil, fmt.Errorf("recycle %s: not a version folder of %s", retired, l.out)
	}
	lock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	prev, err := Current(l.out)
	if err != nil {
		return nil, fmt.Errorf("recycle %s: %w", retired, err)
	}
	if prev == abs {
		return nil, fmt.Errorf("recycle %s: it is the published version", retired)
	}
	if fi, err := os.Lstat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("recycle %s: not a folder (%v)", retired, err)
	}
	// Under the lock, so no sweep sees the stage before it is held.
	dir := filepath.Join(l.versions, stagePrefix+randomSuffix())
	if err := os.Rename(abs, dir); err != nil {
		return nil, fmt.Errorf("recycle %s: %w", retired, err)
	}
	return newStage(l, prev, dir)
}

// newStage holds the stage folder dir with a lock that tells other
// publishers it is alive, or removes it.
func newStage(l layout, prev, dir string) (*Stage, error) {
	hold, err := os.Open(dir)
	if err == nil {
		err = flock(hold, lockExclusive|lockNonBlocking)
		if err != nil {
			hold.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("lock stage %s: %w", dir, err)
	}
	return &Stage{l: l, prev: prev, dir: dir, hold: hold, touched: map[string]bool{}}, nil
}

// touch records that the file or folder name changed in the stage.
func (s *Stage) touch(names ...string) {
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if s.touched == nil {
		return
	}
	for _, n := range names {
		s.touched[n] = true
	}
	if len(s.touched) > maxTouched {
		s.touched = nil
	}
}

// Dir returns the folder to write files into. Files written there directly
// are published too, but are never hard-linked from the previous version.
func (s *Stage) Dir() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Files written there are not tracked: Commit must sync everything.
	s.touchMu.Lock()
	s.touched = nil
	s.touchMu.Unlock()
	return s.dir
}

// Stats reports how many WriteFile calls wrote a new file and how many
// hard-linked an identical file from the published version.
func (s *Stage) Stats() (written, linked int) {
	return int(s.written.Load()), int(s.linked.Load())
}

// WriteFile writes data to rel, a slash-separated path relative to the
// stage, creating parent folders. If the published version holds a
// byte-identical regular file at rel, WriteFile hard-links it instead, and
// falls back to writing if linking fails. Writing rel again replaces it.
// WriteFile is safe for concurrent use. Its errors name the file in the
// stage, so callers need not name it again.
func (s *Stage) WriteFile(rel string, data []byte) error {
	if !fs.ValidPath(rel) || rel == "." {
		return fmt.Errorf("write %q: %w", rel, ErrInvalidPath)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.state != stageOpen {
		return fmt.Errorf("write %s: %w", rel, ErrClosed)
	}
	// rel is valid, so clean: its path in the stage, a clean folder, and
	// that path's folder are cut by hand, not cleaned again as
	// filepath.Join and Dir would for each of a build's files.
	dst := s.dir + string(filepath.Separator) + filepath.FromSlash(rel)
	dir := s.dir
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		dir = dst[:len(s.dir)+1+i]
		if _, made := s.dirs.Load(dir); !made {
			if err := s.mkdirAll(dir); err != nil {
				return fmt.Errorf("write %s: %w", dst, pathless(err))
			}
			s.dirs.Store(dir, true)
		}
	}
	s.touch(dst, dir)
	if s.prev != "" {
		old := filepath.Join(s.prev, filepath.FromSlash(rel))
		if sameContent(old, data) {
			err := create(dst, func(name string) error { return os.Link(old, name) })
			if err == nil {
				s.linked.Add(1)
				return nil
			}
			// Linking fails across file systems or at the link-count
			// limit; a copy is always correct, only larger.
		}
	}
	if err := create(dst, func(name string) error { return writeNew(name, data) }); err != nil {
		return fmt.Errorf("write %s: %w", dst, pathless(err))
	}
	s.written.Add(1)
	return nil
}

// mkdirAll is os.MkdirAll that records the folders it makes, and the
// folders they are made in, as touched. It tries Mkdir first: most
// folders of a build are new, and one whose parent exists then costs one
// system call instead of a Stat of it and of its parent, then a Mkdir.
func (s *Stage) mkdirAll(dir string) error {
	err := os.Mkdir(dir, 0o755)
	if errors.Is(err, fs.ErrNotExist) {
		if parent := filepath.Dir(dir); parent != s.dir {
			if err := s.mkdirAll(parent); err != nil {
				return err
			}
			err = os.Mkdir(dir, 0o755)
		}
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		// Made by another writer, or kept from a recycled version; a
		// file in its place fails the file's creation.
		return nil
	case err != nil:
		return err
	}
	s.touch(dir, filepath.Dir(dir))
	return nil
}

// Remove removes the file rel from the stage, and the folders that held
// only it. Removing a file that is not there is no error. Remove is safe
// for concurrent use with WriteFile, but not for the same path.
func (s *Stage) Remove(rel string) error {
	if !fs.ValidPath(rel) || rel == "." {
		return fmt.Errorf("remove %q: %w", rel, ErrInvalidPath)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.state != stageOpen {
		return fmt.Errorf("remove %s: %w", rel, ErrClosed)
	}
	name := filepath.Join(s.dir, filepath.FromSlash(rel))
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", name, pathless(err))
	}
	s.untouch(name)
	dir := filepath.Dir(name)
	for ; dir != s.dir; dir = filepath.Dir(dir) {
		// This fails, as it should, while the folder holds anything else.
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			break
		}
		s.untouch(dir)
		s.dirs.Delete(dir)
	}
	s.touch(dir)
	return nil
}

// untouch forgets a path that no longer exists.
func (s *Stage) untouch(name string) {
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if s.touched != nil {
		delete(s.touched, name)
	}
}

// create makes dst with make. The stage is private, so dst normally does
// not exist yet and is made in place; only a path written twice goes
// through place, which never opens an existing file.
func create(dst string, make func(name string) error) error {
	err := make(dst)
	if errors.Is(err, fs.ErrExist) {
		return place(dst, make)
	}
	return err
}

// Commit fsyncs the stage, renames it to the next version and points the
// output path at it, then removes older versions and leftovers, keeping the
// version it replaced for readers still inside it. It returns the absolute
// folder of the new version.
//
// A non-empty folder means the version is published, even if the error is
// not nil: the error then concerns durability or cleanup. After an error
// with an empty folder the published site is unchanged, and Abort removes
// the stage.
func (s *Stage) Commit() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stageOpen {
		return "", fmt.Errorf("commit stage: %w", ErrClosed)
	}
	// Everything must be on disk before the rename makes it reachable, or a
	// power loss could publish empty or short files.
	if err := s.sync(); err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	lock, err := s.l.lock()
	if err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	defer lock.Close()

	prev, err := Current(s.l.out)
	if err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	n, err := s.l.lastVersion()
	if err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	name := versionName(n + 1)
	dir := filepath.Join(s.l.versions, name)
	if err := os.Rename(s.dir, dir); err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	s.dir = dir
	if err := fsync(s.l.versions); err != nil {
		return "", fmt.Errorf("commit stage: %w", err)
	}
	live, err := s.l.point(filepath.Join(filepath.Base(s.l.versions), name))
	if live {
		// The version is reachable now; Abort must no longer remove it.
		s.state = stageCommitted
		s.hold.Close()
	}
	if err != nil {
		if live {
			return dir, fmt.Errorf("commit stage: %w", err)
		}
		return "", fmt.Errorf("commit stage: %w", err)
	}
	if err := s.l.prune(name, prev); err != nil {
		return dir, fmt.Errorf("commit stage: %w", err)
	}
	return dir, nil
}

// sync makes the stage durable: the few paths it changed one by one, or
// the whole tree.
func (s *Stage) sync() error {
	s.touchMu.Lock()
	touched := s.touched
	s.touchMu.Unlock()
	if touched == nil {
		return syncTree(s.dir)
	}
	paths := make([]string, 0, len(touched)+1)
	for p := range touched {
		paths = append(paths, p)
	}
	return fsyncAll(append(paths, s.dir))
}

// Abort removes the stage, leaving the published site untouched. It is a
// no-op after Commit or another Abort.
func (s *Stage) Abort() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stageOpen {
		return nil
	}
	s.state = stageAborted
	// Remove before releasing the lock, so no sweep races this removal.
	err := os.RemoveAll(s.dir)
	s.hold.Close()
	if err != nil {
		return fmt.Errorf("abort stage: %w", err)
	}
	return nil
}

// Current returns the directory the output path resolves to, or "" if
// nothing is published there.
func Current(out string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("resolve output path %q: %w", out, err)
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("inspect output path: %w", err)
	case fi.IsDir():
		return abs, nil
	case fi.Mode()&fs.ModeSymlink == 0:
		return "", fmt.Errorf("inspect %s: %w", abs, ErrOutputOccupied)
	}
	target, err := os.Readlink(abs)
	if err != nil {
		return "", fmt.Errorf("inspect output path: %w", err)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(abs), target)
	}
	// A dangling link, or one to a file, publishes nothing. Commit replaces
	// it if it is herald's, and never touches what it pointed at.
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		return "", nil
	}
	return filepath.Clean(target), nil
}

// sameContent reports whether old is a regular file holding exactly data.
func sameContent(old string, data []byte) bool {
	fi, err := os.Lstat(old)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	f, err := os.Open(old)
	if err != nil {
		return false
	}
	defer f.Close()
	// Compare in chunks so a large unchanged asset costs no second copy.
	buf := make([]byte, min(len(data), 64<<10))
	for off := 0; off < len(data); {
		n, err := io.ReadFull(f, buf[:min(len(buf), len(data)-off)])
		if err != nil || !bytes.Equal(buf[:n], data[off:off+n]) {
			return false
		}
		off += n
	}
	return true
}

// place creates a file at a fresh temporary name beside dst with create,
// then renames it over dst. Opening dst itself would be wrong: it may be a
// hard link into the published version, which must never change.
func place(dst string, create func(tmp string) error) error {
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+randomSuffix())
	if err := create(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	// rename(2) does nothing when both names already link one inode (the
	// same unchanged file linked twice), which would leave tmp behind.
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// pathless returns the cause of err without the path that package os put
// in it (perhaps a temporary name), for a message that names the path
// once, itself.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// writeNew creates name, which must not exist, holding data. It makes the
// system calls itself: os.OpenFile would also make the file non-blocking
// and offer it to the network poller, which refuses regular files: four
// fcntl(2)s and an epoll_ctl(2) that undo themselves, per file of a build.
func writeNew(name string, data []byte) error {
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	err = writeAll(fd, data)
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return &fs.PathError{Op: "write", Path: name, Err: err}
	}
	return nil
}

// writeAll writes all of data to fd, as os.File.Write does.
func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		switch {
		case err == unix.EINTR:
		case err != nil:
			return err
		case n == 0:
			return io.ErrShortWrite
		default:
			data = data[n:]
		}
	}
	return nil
}

// fsyncAll fsyncs every path, several at once: the file system can then
// commit them together, about four times faster for hundreds of files.
func fsyncAll(paths []string) error {
	return parallel.For(context.Background(), len(paths), 16, func(i int) error { return fsync(paths[i]) })
}

// fsync flushes name, a file or a directory, to disk. The errors name the
// path already.
func fsync(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
