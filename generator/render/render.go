package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"

	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/templates"
)

// HistoryPerPage is how many incidents one page of the archive lists.
const HistoryPerPage = 25

// Renderer renders sites with one theme: the embedded default, with any
// file replaced by a site's override. It holds no state about a site, so
// one Renderer can render many snapshots, concurrently.
type Renderer struct {
	// base is the templates every page shares (partials and layout), and
	// pages maps a page template's name to its own file's, parsed alone.
	// They are never executed: html/template cannot clone a set after it
	// ran, and newSet joins a copy of both for each call of Files, to bind
	// the snapshot's time zone. Parsing each page into a clone of base
	// here would copy every shared template twice a build.
	base       *template.Template
	pages      map[string]*template.Template
	sources    map[string]source
	stylesheet []byte
	cssPath    string
	favicon    []byte
	script     []byte
	scriptPath string

	// builtin maps a page template's name to the templates of its set
	// that are the built-in theme's, of those inGo lists.
	builtin map[string]map[string]bool
}

// source is one theme file and where it came from.
type source struct {
	data []byte
	// path names the file in messages: "templates/index.html" for a
	// site's override, "built-in index.html" for the default.
	path     string
	override bool
}

// New parses the embedded templates, each overridden by a file of the same
// name in overrideDir (the site's templates/ folder; it may not exist, and
// "" means no overrides). With an override, it then renders a built-in
// sample site with them, so that a broken override fails here, before
// anything is written. Errors name the file at fault, e.g.
//
//	templates/index.html: template: index.html:12: function "foo" not defined
//
// An .html file in overrideDir that is not part of the theme is an error
// too, so a misspelt override is not silently ignored.
func New(overrideDir string) (*Renderer, error) {
	sources, err := loadSources(overrideDir)
	if err != nil {
		return nil, err
	}
	r := &Renderer{
		pages:      map[string]*template.Template{},
		sources:    sources,
		stylesheet: sources[templates.Stylesheet].data,
		favicon:    sources[templates.Favicon].data,
		script:     sources[templates.Script].data,
	}
	sum := sha256.Sum256(r.stylesheet)
	r.cssPath = "assets/style." + hex.EncodeToString(sum[:])[:10] + ".css"
	sum = sha256.Sum256(r.script)
	r.scriptPath = "assets/stale." + hex.EncodeToString(sum[:])[:10] + ".js"

	// The shared set: partials first, so the layout can replace them.
	// (html/template's New empties a template of the same name, so the
	// root is the partials themselves rather than a New of them.)
	fm := funcs(nil, nil)
	r.base = template.New(templates.Partials).Funcs(fm)
	if _, err := r.base.Parse(string(sources[templates.Partials].data)); err != nil {
		return nil, fmt.Errorf("%s: %w", sources[templates.Partials].path, err)
	}
	if _, err := r.base.New(templates.Layout).Parse(string(sources[templates.Layout].data)); err != nil {
		return nil, fmt.Errorf("%s: %w", sources[templates.Layout].path, err)
	}
	var errs []error
	for _, name := range templates.Pages() {
		src := sources[name]
		t, err := template.New(name).Funcs(fm).Parse(string(src.data))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.path, err))
			continue
		}
		r.pages[name] = t
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Without an override the theme is herald's own: its sets are the
	// built-in ones, and its tests render it, where the sample site would
	// cost every process ~20 ms to find nothing.
	if !r.Overridden() {
		r.builtin = r.defined()
		return r, nil
	}
	if r.builtin, err = r.sameTrees(); err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}

// inGo are the templates of the built-in theme, by file and name, that a
// set writes in Go while they are the built-in ones: "main" is
// incident.html's, history.html's, report.html's, component.html's,
// index.html's and subscribe.html's (see pageSet.incidentMain,
// historyMain, reportMain, componentMain, indexMain, subscribeMain), each
// compared only with its own page's; base.html the layout
// (pageSet.writeLayout), and its frame parts (pageSet.frame), "span"
// memo's (pageSet.span); the others are
// drawn with the template function of their name (listEntry,
// componentEntry, reportRow, reportEntry, reportComponent, reportYear).
var inGo = []struct{ file, name string }{
	{templates.Partials, "entry"},
	{templates.Partials, "span"},
	{"component.html", "component-entry"},
	{"report.html", "report-row"},
	{"report.html", "report-entry"},
	{"report.html", "report-component"},
	{"reports.html", "report-year"},
	{"incident.html", "main"},
	{"history.html", "main"},
	{"report.html", "main"},
	{"component.html", "main"},
	{"index.html", "main"},
	{"subscribe.html", "main"},
	{templates.Layout, templates.Layout},
	{templates.Layout, "site-feeds"},
	{templates.Layout, "site-header"},
	{templates.Layout, "site-footer"},
}

// sameTrees maps each page template's name to the templates of inGo
// that its set has as the built-in theme has them. A site may redefine a
// template in any of its files; a set whose template parses to the
// built-in tree prints what it prints.
func (r *Renderer) sameTrees() (map[string]map[string]bool, error) {
	same := make(map[string]map[string]bool, len(r.pages))
	sets := make(map[string]*template.Template, len(r.pages))
	for page := range r.pages {
		same[page] = map[string]bool{}
		t, err := r.set(page)
		if err != nil {
			return nil, err
		}
		sets[page] = t
	}
	for _, g := range inGo {
		tree, err := builtinTree(g.file, g.name)
		if err != nil {
			return nil, err
		}
		for page, t := range sets {
			if g.name == "main" && g.file != page {
				// Each page has its own "main".
				continue
			}
			same[page][g.name] = sameTree(t, g.name, tree)
		}
	}
	return same, nil
}

// defined is sameTrees for herald's own theme, without parsing each file
// again to compare: every template of inGo that a set defines is the
// built-in one, as no built-in file redefines another's
// (TestBuiltinSetsDefined).
func (r *Renderer) defined() map[string]map[string]bool {
	defined := make(map[string]map[string]bool, len(r.pages))
	for page, own := range r.pages {
		defined[page] = map[string]bool{}
		for _, g := range inGo {
			if g.name == "main" && g.file != page {
				continue
			}
			// Which of the two files defines it does not matter here.
			d := own.Lookup(g.name)
			if d == nil || d.Tree == nil {
				d = r.base.Lookup(g.name)
			}
			defined[page][g.name] = d != nil && d.Tree != nil
		}
	}
	return defined
}

// builtinTree is the parse tree, as text, of the template name that the
// embedded file defines.
func builtinTree(file, name string) (string, error) {
	data, err := fs.ReadFile(templates.FS, file)
	if err != nil {
		return "", fmt.Errorf("read built-in template: %w", err)
	}
	t, err := template.New(file).Funcs(funcs(nil, nil)).Parse(string(data))
	if err != nil {
		return "", fmt.Errorf("parse built-in %s: %w", file, err)
	}
	d := t.Lookup(name)
	if d == nil || d.Tree == nil {
		return "", fmt.Errorf("parse built-in %s: no template %q", file, name)
	}
	return d.Tree.Root.String(), nil
}

// sameTree reports whether the template name of set t parses to tree, a
// builtinTree.
func sameTree(t *template.Template, name, tree string) bool {
	d := t.Lookup(name)
	return d != nil && d.Tree != nil && d.Tree.Root.String() == tree
}

// loadSources reads every theme file, from overrideDir where it has one.
func loadSources(overrideDir string) (map[string]source, error) {
	names := templates.Names()
	out := make(map[string]source, len(names))
	display := filepath.ToSlash(filepath.Base(overrideDir))
	var errs []error
	for _, name := range names {
		if overrideDir != "" {
			data, err := os.ReadFile(filepath.Join(overrideDir, name))
			if err == nil {
				// A copy of the built-in file is no override: the example
				// site's templates/ folder is the embedded theme itself.
				builtin, _ := fs.ReadFile(templates.FS, name)
				out[name] = source{data: data, path: path.Join(display, name), override: !bytes.Equal(data, builtin)}
				continue
			}
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("read template: %w", err))
				continue
			}
		}
		data, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			return nil, fmt.Errorf("read built-in template: %w", err)
		}
		out[name] = source{data: data, path: "built-in " + name}
	}
	if overrideDir != "" {
		entries, err := os.ReadDir(overrideDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("read templates: %w", err))
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".html") && !slices.Contains(names, e.Name()) {
				errs = append(errs, fmt.Errorf("%s: not a template herald uses (name it one of: %s)", path.Join(display, e.Name()), strings.Join(names, ", ")))
			}
		}
	}
	return out, errors.Join(errs...)
}

// check renders the sample site and reports the first failure of each
// template. History pages hold two incidents each so that the pagination
// links are exercised too.
func (r *Renderer) check() error {
	var errs []error
	failed := map[string]bool{}
	snap := sample()
	for _, f := range r.files(snap, 2, WithReports(sampleReports(snap))) {
		kind := pageKind(f.Path)
		if kind == "" || failed[kind] {
			continue
		}
		if err := f.Render(io.Discard); err != nil {
			failed[kind] = true
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pageKind is the template that renders the file at p, or "" for an asset.
func pageKind(p string) string {
	switch {
	case !strings.HasSuffix(p, ".html"):
		return ""
	case p == ReportsPath+"index.html":
		return "reports.html"
	case strings.HasPrefix(p, ReportsPath):
		return "report.html"
	case p == "index.html":
		return "index.html"
	case p == "404.html":
		return "404.html"
	case p == "subscribe/index.html":
		return "subscribe.html"
	case strings.HasPrefix(p, "incidents/"):
		return "incident.html"
	case strings.HasPrefix(p, "history/"):
		return "history.html"
	case strings.HasPrefix(p, "components/"):
		return "component.html"
	}
	return ""
}

// StylesheetPath is the stylesheet's path in the site, named by a hash of
// its content so that it can be cached forever.
func (r *Renderer) StylesheetPath() string { return r.cssPath }

// Overridden reports whether a site's override changes any page template
// or the layout. Such a template may read any part of the snapshot, so
// incremental builds cannot tell which pages it depends on.
func (r *Renderer) Overridden() bool {
	for _, name := range append([]string{templates.Layout, templates.Partials}, templates.Pages()...) {
		if r.sources[name].override {
			return true
		}
	}
	return false
}

// ScriptPath is the stale-page warning's path in the site, hashed like the
// stylesheet.
func (r *Renderer) ScriptPath() string { return r.scriptPath }

// Files lists every page and asset of the site for snap, in a fixed order,
// each rendered on demand. Feeds are not among them: generator/feed writes
// history.rss, history.atom, history.json and components/<id>/history.*,
// which the pages link to. Paths, relative to the site root:
//
//	index.html
//	incidents/<slug>/index.html           every incident and maintenance
//	history/index.html                    the archive, newest first
//	history/page/<n>/index.html           its pages 2, 3, …
//	components/<id>/index.html
//	subscribe/index.html                  every way to follow the site
//	reports/index.html                    with WithReports: the months
//	reports/<YYYY-MM>/index.html          a month's report
//	404.html
//	assets/style.<hash>.css
//	favicon.svg
//	assets/stale.<hash>.js
func (r *Renderer) Files(snap *status.Snapshot, opts ...Option) []File {
	return r.files(snap, HistoryPerPage, opts...)
}

func (r *Renderer) files(snap *status.Snapshot, perPage int, opts ...Option) []File {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	set := r.setsOf(snap)
	page := func(pp plannedPage, key string) File {
		file, name, p := pp.file, pp.template, pp.Page
		return File{Path: file, Key: key, Render: func(w io.Writer) error {
			if pp.finish != nil {
				pp.finish()
			}
			s, err := set(name)
			if err != nil {
				return err
			}
			if s.layout != nil {
				if ok, err := s.writeLayout(w, p); err != nil {
					return r.blame(name, err)
				} else if ok {
					return nil
				}
			}
			if err := s.t.ExecuteTemplate(w, templates.Layout, p); err != nil {
				return r.blame(name, err)
			}
			return nil
		}}
	}

	planned := pages(snap, assets{css: r.cssPath, script: r.scriptPath}, perPage, o)
	keys := pageKeys(snap, planned)
	files := make([]File, 0, len(planned)+3)
	for i, p := range planned {
		files = append(files, page(p, keys[i]))
	}
	files = append(files,
		asset(r.cssPath, r.stylesheet),
		asset(templates.Favicon, r.favicon),
		asset(r.scriptPath, r.script),
	)
	return files
}

// setsOf returns what clones a page's templates once per call of Files,
// binding the functions to snap's time zone and language and to the set
// itself; the sets share the spans they draw.
func (r *Renderer) setsOf(snap *status.Snapshot) func(name string) (*pageSet, error) {
	var (
		mu    sync.Mutex
		sets  = map[string]*pageSet{}
		spans = newSharedSpans()
	)
	return func(name string) (*pageSet, error) {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := sets[name]; ok {
			return s, nil
		}
		s, err := r.newSet(name, words{loc: snap.Site.Location, l: snap.Site.L()})
		if err != nil {
			return nil, err
		}
		s.spans = spans
		sets[name] = s
		return s, nil
	}
}

// newSet clones the page template name's set for one call of Files,
// binding its functions to w and to the set itself, with the parts of the
// built-in theme that it still has written in Go.
func (r *Renderer) newSet(name string, w words) (*pageSet, error) {
	t, err := r.set(name)
	if err != nil {
		return nil, err
	}
	s := &pageSet{words: w, memo: map[memoKey]template.HTML{}, builtin: r.builtin[name]}
	s.t = t.Funcs(setFuncs(s))
	if s.builtin["main"] {
		main := s.writeIncidentMain
		switch name {
		case "history.html":
			main = s.historyMain
		case "report.html":
			main = s.reportMain
		case "component.html":
			main = s.componentMain
		case "index.html":
			main = s.indexMain
		case "subscribe.html":
			main = s.subscribeMain
		}
		if err := s.writeMainInGo(main); err != nil {
			return nil, err
		}
	}
	if s.builtin[templates.Layout] {
		s.layout = newLayout(s)
	}
	s.fixWords()
	return s, nil
}

// set is a copy of page template name's set: the shared templates with the
// page's own added, as parsing the page's file into the shared set adds
// them: a template the page defines replaces the shared one of that name,
// unless its body is empty (text/template's associate). html/template's
// AddParseTree would put an empty one in its own map all the same.
func (r *Renderer) set(name string) (*template.Template, error) {
	t, err := r.base.Clone()
	if err != nil {
		return nil, fmt.Errorf("clone %s: %w", name, err)
	}
	for _, d := range r.pages[name].Templates() {
		if d.Tree == nil {
			continue
		}
		if old := t.Lookup(d.Name()); old != nil && old.Tree != nil && parse.IsEmptyTree(d.Tree.Root) {
			continue
		}
		if _, err := t.AddParseTree(d.Name(), d.Tree.Copy()); err != nil {
			return nil, fmt.Errorf("clone %s: %w", name, err)
		}
	}
	return t, nil
}

func asset(p string, data []byte) File {
	return File{Path: p, Render: func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}}
}

// blame names the theme file at fault in an error from executing the page
// template name. When only one of the files parsed with the page is a
// site's override, that one is at fault: the built-in theme renders the
// sample site, so an error comes from what the override changed, even when
// it surfaces in another file (a page that leaves an attribute open breaks
// the layout after it). Otherwise it is the file the message points into
// first. Errors that are not the template's (a failed write) pass through.
func (r *Renderer) blame(name string, err error) error {
	var execErr texttemplate.ExecError
	var escErr *template.Error
	if !errors.As(err, &execErr) && !errors.As(err, &escErr) {
		return fmt.Errorf("render %s: %w", name, err)
	}
	candidates := []string{name, templates.Layout, templates.Partials}
	var overridden []string
	for _, c := range candidates {
		if r.sources[c].override {
			overridden = append(overridden, c)
		}
	}
	if len(overridden) > 0 {
		candidates = overridden
	}
	file, first := candidates[0], -1
	msg := err.Error()
	for _, c := range candidates {
		if i := strings.Index(msg, c+":"); i >= 0 && (first < 0 || i < first) {
			file, first = c, i
		}
	}
	return fmt.Errorf("%s: %w", r.sources[file].path, err)
}
