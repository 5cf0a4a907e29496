package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The folders of a site that hold its author's files, beside FileName.
const (
	IncidentsDir = "incidents"
	TemplatesDir = "templates"
)

// ErrOwnFiles reports an output path that would take the place of the
// site's own files: herald replaces its output path with every build.
var ErrOwnFiles = errors.New("publishing there would replace the site's own files (choose another -out)")

// CheckOutput returns an error wrapping ErrOwnFiles when out, an output
// path relative to the current folder, is the site folder or holds or lies
// inside one of the site's own files (see outputConflict). publish.dir is
// checked when the config is parsed; this is for an output path given
// another way, such as build's -out.
func (c *Config) CheckOutput(out string) error {
	reason, err := c.outputConflict(out)
	if err != nil {
		return err
	}
	if reason != "" {
		return fmt.Errorf("output path %s %s: %w", out, reason, ErrOwnFiles)
	}
	return nil
}

// outputConflict says how the output path out clashes with the site's own
// files ("is the site folder", "is incidents/", "holds data/history.db",
// "lies inside templates/"), or "" when it does not. The site's own files are
// herald.yaml, incidents/, templates/, the history store with its side
// files, the notify state and the record of published reports; the site folder itself may hold the output
// path but not be it. Every path is compared as the file system sees it,
// with symlinks followed, and out is read both as the kernel reads it (a
// symlink before "..") and as the publisher names it (after
// filepath.Clean), so that neither reading can reach the site's files.
func (c *Config) outputConflict(out string) (string, error) {
	site, err := realPath(c.Dir)
	if err != nil {
		return "", err
	}
	own := []string{FileName, IncidentsDir + "/", TemplatesDir + "/", c.History.Path, c.Notify.State, c.reportRecord()}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		own = append(own, c.History.Path+side)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("resolve output path %s: %w", out, err)
	}
	for _, reading := range []string{out, abs} {
		o, err := realPath(reading)
		if err != nil {
			return "", err
		}
		switch {
		case o == site:
			return "is the site folder", nil
		case within(site, o):
			return "holds the site folder", nil
		}
		for _, name := range own {
			p, err := realPath(filepath.Join(c.Dir, name))
			if err != nil {
				return "", err
			}
			shown := filepath.ToSlash(filepath.Clean(name))
			if strings.HasSuffix(name, "/") {
				shown += "/"
			}
			switch {
			case o == p:
				return "is " + shown, nil
			case within(p, o):
				return "holds " + shown, nil
			case within(o, p):
				return "lies inside " + shown, nil
			}
		}
	}
	return "", nil
}

// publishPath is publish.dir in the site folder as written: PublishDir
// cleans it, which reads "link/.." otherwise than the file system does.
func (c *Config) publishPath() string {
	if c.Dir == "" {
		return c.Publish.Dir
	}
	return c.Dir + string(filepath.Separator) + c.Publish.Dir
}

// within reports whether p is dir or lies inside it; both are clean and
// absolute.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}

// maxLinks is how many symlinks realPath follows before it gives up, as
// the kernel does with ELOOP (Linux allows 40).
const maxLinks = 40

// realPath returns the absolute path that p names once every symlink in it
// is followed, component by component as the kernel does, so that
// "link/.." is the parent of the link's target and not the folder holding
// the link. The part of p that does not exist (yet) is kept as written,
// cleaned. A relative p is taken from the current folder.
func realPath(p string) (string, error) {
	if !filepath.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", p, err)
		}
		p = wd + string(filepath.Separator) + p
	}
	sep := string(filepath.Separator)
	done := sep
	rest := strings.Split(p, sep)
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			done = filepath.Dir(done)
			continue
		}
		next := filepath.Join(done, name)
		target, err := os.Readlink(next)
		if err != nil {
			// Not a symlink, or not there: the path goes on through it
			// as written.
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolve %s: too many levels of symbolic links", p)
		}
		if filepath.IsAbs(target) {
			done = sep
		}
		rest = append(strings.Split(target, sep), rest...)
	}
	return done, nil
}
