// Package generator builds a herald site: it loads the config and the
// incident files, computes the status snapshot, renders pages and feeds,
// and publishes the result atomically.
//
//	site, err := generator.Load(ctx, dir)
//	res, err := generator.Build(ctx, site, generator.Options{Now: now})
//
// A build either publishes a complete new version of the site or leaves the
// previous one untouched; see package publish.
package generator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/config"
	"github.com/herald-status/herald/generator/diag"
	"github.com/herald-status/herald/generator/feed"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
)

// TemplatesDir is the folder inside a site whose files override the
// embedded theme.
const TemplatesDir = "templates"

// Site is a loaded, validated site folder.
type Site struct {
	Config    *config.Config
	Incidents []*incident.Incident // newest first
	Renderer  *render.Renderer
}

// Load reads and validates everything in the site folder dir. Problems in
// the author's files come back together as one diag.List, so a single run
// reports every bad file; other errors (unreadable folders) come back as
// they are.
func Load(ctx context.Context, dir string) (*Site, error) {
	cfg, err := config.Load(dir)
	var errs diag.List
	if err != nil {
		if !isDiag(err) {
			return nil, err
		}
		errs.Add(config.FileName, err)
	}
	r, err := render.New(filepath.Join(dir, TemplatesDir))
	if err != nil {
		errs.Add(TemplatesDir, err)
	}
	if cfg == nil {
		// Incidents are checked against the components, so without a
		// valid config there is nothing more to learn.
		return nil, errs.Err()
	}
	ins, err := incident.Load(ctx, dir, incident.NewParser(cfg))
	if err != nil {
		if !isDiag(err) {
			return nil, err
		}
		errs.Add(incident.Dir, err)
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return &Site{Config: cfg, Incidents: ins, Renderer: r}, nil
}

func isDiag(err error) bool {
	var l diag.List
	var e *diag.Error
	return errors.As(err, &l) || errors.As(err, &e)
}

// Files lists every file of the site at now: pages, assets and feeds.
func (s *Site) Files(now time.Time) []render.File {
	snap := status.New(s.Config, s.Incidents, now)
	return append(s.Renderer.Files(snap), feed.Files(snap)...)
}

// Options control one build.
type Options struct {
	// Out is the output path; empty means the config's publish.dir.
	Out string
	// Now is the build's clock: rendering depends on it and nothing else
	// reads the time.
	Now time.Time
}

// Result summarises a build.
type Result struct {
	Out       string // the output path
	Version   string // the folder the output path now points at
	Files     int
	Pages     int // HTML files among Files
	Incidents int
	Written   int // files written anew
	Linked    int // files unchanged since the previous version
}

// Build renders the site and publishes it at the output path. On any error
// nothing is published and the previous site stays as it was.
func Build(ctx context.Context, s *Site, opts Options) (*Result, error) {
	out := opts.Out
	if out == "" {
		out = s.Config.PublishDir()
	}
	files := s.Files(opts.Now)
	stage, err := publish.Begin(out)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	defer stage.Abort() // after Commit, a no-op
	if err := renderAll(ctx, files, stage.WriteFile); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	version, err := stage.Commit()
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res := &Result{Out: out, Version: version, Files: len(files), Incidents: len(s.Incidents)}
	res.Written, res.Linked = stage.Stats()
	for _, f := range files {
		if filepath.Ext(f.Path) == ".html" {
			res.Pages++
		}
	}
	return res, nil
}

// Check renders every file without writing anything, so that a template
// which fails only on real data is caught too.
func Check(ctx context.Context, s *Site, now time.Time) error {
	return renderAll(ctx, s.Files(now), func(string, []byte) error { return nil })
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderAll renders files on every core and hands each result to write,
// which must be safe for concurrent use. It stops at the first error.
func renderAll(ctx context.Context, files []render.File, write func(path string, data []byte) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan render.File)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Go(func() {
			for f := range jobs {
				if err := renderOne(f, write); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, f := range files {
		select {
		case jobs <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return context.Cause(ctx)
}

func renderOne(f render.File, write func(string, []byte) error) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		buf.Reset()
		bufPool.Put(buf)
	}()
	if err := f.Render(buf); err != nil {
		return fmt.Errorf("render %s: %w", f.Path, err)
	}
	if err := write(f.Path, buf.Bytes()); err != nil {
		return fmt.Errorf("write %s: %w", f.Path, err)
	}
	return nil
}
