package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// ManifestName is the file, in the root of every published version, that
// lists every other file of that version, one slash-separated path a line,
// sorted. The caller writes it last, after every file it lists, so a
// version holding a manifest is complete. It is also how the publisher
// recognises a folder herald wrote, wherever it now sits (see the package
// doc, Ownership). No page links to it.
const ManifestName = ".herald-manifest"

// maxManifest bounds how much of a manifest is read: 100,000 pages list
// about 5 MB, so anything larger is not one of ours.
const maxManifest = 64 << 20

// errNotManifest reports a file named like the manifest that cannot be
// one: a symlink, a device or FIFO, or too large.
var errNotManifest = errors.New("not a herald manifest")

// ReadManifest returns the paths that the manifest of the version folder
// dir lists. An error wrapping fs.ErrNotExist means dir holds no manifest.
func ReadManifest(dir string) ([]string, error) {
	name := filepath.Join(dir, ManifestName)
	// O_NOFOLLOW: a link is not ours; O_NONBLOCK: a FIFO must not hang us.
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("read %s: %w", name, errNotManifest)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w", name, errNotManifest)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("read %s: %w", name, errNotManifest)
	}
	text := strings.TrimSuffix(string(data), "\n")
	if text == "" {
		return nil, nil
	}
	return strings.Split(text, "\n"), nil
}

// owned reports whether herald may replace or remove p, whose Lstat is
// fi: a symlink into the versions directory, or a folder that ownedDir
// accepts. Anything else may be a user's.
func (l layout) owned(p string, fi fs.FileInfo) (bool, error) {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return l.ownLink(p), nil
	case fi.IsDir():
		return ownedDir(p)
	}
	return false, nil
}

// ownLink reports whether the symlink p points into the versions
// directory, as every link herald makes does.
func (l layout) ownLink(p string) bool {
	target, err := os.Readlink(p)
	if err != nil {
		return false
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(p), target)
	}
	return filepath.Dir(filepath.Clean(target)) == l.versions
}

// ownedDir reports whether the folder dir is herald's to remove: it is
// empty, or it holds herald's manifest and nothing but the files that
// manifest lists and the folders they sit in. That is a version herald
// published wherever it now sits: at the output path after an older
// herald that wrote plain folders, copied there with cp -r, or moved
// aside by a migration. A file the user added to such a folder (a CNAME,
// say) makes it the user's.
func ownedDir(dir string) (bool, error) {
	paths, err := ReadManifest(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return isEmpty(dir)
	case errors.Is(err, errNotManifest):
		return false, nil
	case err != nil:
		return false, err
	}
	files := make(map[string]bool, len(paths)+1)
	dirs := map[string]bool{}
	files[ManifestName] = true
	for _, p := range paths {
		files[p] = true
		for d := path.Dir(p); d != "." && d != "/" && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	foreign := false
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() && dirs[rel] || d.Type().IsRegular() && files[rel] {
			return nil
		}
		foreign = true
		return fs.SkipAll
	})
	if err != nil {
		return false, fmt.Errorf("inspect %s: %w", dir, err)
	}
	return !foreign, nil
}

// isEmpty reports whether the folder dir holds nothing.
func isEmpty(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, fmt.Errorf("inspect %s: %w", dir, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != io.EOF {
		if err != nil {
			return false, fmt.Errorf("inspect %s: %w", dir, err)
		}
		return false, nil
	}
	return true, nil
}
