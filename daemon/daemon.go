// Package daemon keeps a herald site published while it runs: it rebuilds
// the site whenever the watcher (package watch) reports a change to its
// files, and on a timer so that what depends on the clock stays current;
// it runs the publish command after each swap, sends notifications, and
// reports its health. herald watch, serve and run are this loop with
// different company.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/publish"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/notify"
	"github.com/herald-status/herald/watch"
)

// SiteFilter admits the inputs of the site in dir (absolute) whose output
// folder is publishDir and history store historyPath (both absolute):
// herald.yaml, incidents/, templates/ and i18n/ (the site's words) and all
// they hold, and the store
// and its -wal file. It leaves out the output folder, its hidden versions
// folder and temporary links (.<publish>.herald/, .<publish>.tmp-*), the
// store's other side files, dotfiles and editor leftovers, and every other
// file of the site folder.
func SiteFilter(dir, publishDir, historyPath string) watch.Filter {
	return func(p string, isDir bool) watch.Kind {
		rel, err := filepath.Rel(dir, p)
		if err != nil || !filepath.IsLocal(rel) {
			return watch.Ignore
		}
		rel = filepath.ToSlash(rel)
		name := filepath.Base(p)
		if strings.HasPrefix(name, ".") || watch.IsEditorLeftover(name) {
			return watch.Ignore
		}
		if p == publishDir || strings.HasPrefix(p, publishDir+string(filepath.Separator)) {
			return watch.Ignore
		}
		if p == historyPath || p == historyPath+"-wal" {
			return watch.History
		}
		if isDir && strings.HasPrefix(historyPath, p+string(filepath.Separator)) {
			return watch.Folder // on the way to the store
		}
		top, _, _ := strings.Cut(rel, "/")
		switch {
		case rel == config.FileName:
			return watch.Source
		case top == incident.Dir || top == generator.TemplatesDir || top == i18n.Dir:
			return watch.Source
		}
		return watch.Ignore
	}
}

// Options configure a [Loop].
type Options struct {
	Site string // the site folder
	Out  string // the output path; "" means publish.dir
	// Clock is the build's clock; it is read at each build.
	Clock func() time.Time
	// Every overrides watch.every when not zero.
	Every time.Duration
	// Stdout gets a line per build, Stderr the errors.
	Stdout, Stderr io.Writer
	// Report prints a failed build's error; nil prints it as it is.
	Report func(err error)
	// OnBuild, if set, is called after each build, successful or not.
	OnBuild func(Status)
	// Daemon marks the builds of herald run (see generator.Builder.Daemon).
	Daemon bool
	// Debug adds a line to Stdout after each rebuild's saying where its
	// time went (generator.Timings).
	Debug bool
	// MinBackoff and MaxBackoff of the publish command; zero for defaults.
	MinBackoff, MaxBackoff time.Duration
}

// Status is what the loop has done so far.
type Status struct {
	Started     time.Time              `json:"started"` // when the loop started, by the clock
	Builds      int                    `json:"builds"`
	LastBuild   time.Time              `json:"last_build"`            // the last attempt, by the clock
	LastSuccess time.Time              `json:"last_success,omitzero"` // the last successful build
	Out         string                 `json:"out,omitempty"`         // the output path
	Version     string                 `json:"version,omitempty"`     // the version it published
	Error       string                 `json:"error,omitempty"`       // the last attempt's error, if it failed
	Every       Duration               `json:"every"`                 // the timer's interval
	Publish     *publish.CommandResult `json:"publish,omitempty"`     // the last publish command run
	Err         error                  `json:"-"`
}

// Duration marshals as a Go duration string.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Loop is a running daemon.
type Loop struct {
	opts    Options
	dir     string
	builder *generator.Builder
	command publish.Command

	mu     sync.Mutex
	status Status

	// notifier sends the site's webhooks and email after each publish;
	// nil without either. Only Run's goroutine touches these.
	notifier     *notify.Notifier
	notifyCfg    config.Notify
	notifyCancel context.CancelFunc
	notifyWG     sync.WaitGroup
}

// New prepares a loop for the site; Run starts it.
func New(opts Options) (*Loop, error) {
	dir, err := filepath.Abs(opts.Site)
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	if opts.Clock == nil {
		return nil, errors.New("daemon: Options.Clock is required")
	}
	if opts.Report == nil {
		opts.Report = func(err error) { fmt.Fprintln(opts.Stderr, err) }
	}
	l := &Loop{opts: opts, dir: dir, builder: generator.NewBuilder(dir, opts.Out)}
	l.builder.Daemon = opts.Daemon
	l.builder.Record = opts.Daemon // herald run publishes; serve and watch preview
	l.command = publish.Command{Dir: dir, Log: opts.Stdout, MinBackoff: opts.MinBackoff, MaxBackoff: opts.MaxBackoff, Clock: opts.Clock}
	return l, nil
}

// Status returns what the loop has done so far.
func (l *Loop) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.status
	if last := l.command.Last(); !last.Finished.IsZero() {
		s.Publish = &last
	}
	return s
}

// settings are what the loop takes from the config: read again after each
// build, so an edit to herald.yaml applies without a restart.
type settings struct {
	out, history    string
	debounce, every time.Duration
	command         string
}

func (l *Loop) settings() settings {
	s := settings{
		out:      filepath.Join(l.dir, config.DefaultPublishDir),
		history:  filepath.Join(l.dir, config.DefaultHistoryPath),
		debounce: config.DefaultDebounce,
		every:    config.DefaultEvery,
	}
	if site := l.builder.Site(); site != nil {
		c := site.Config
		s.out, s.history = c.PublishDir(), c.HistoryPath()
		s.debounce, s.every = time.Duration(c.Watch.Debounce), time.Duration(c.Watch.Every)
		s.command = c.Publish.Command
	} else if c, err := config.Load(l.dir); err == nil {
		s.out, s.history = c.PublishDir(), c.HistoryPath()
		s.debounce, s.every = time.Duration(c.Watch.Debounce), time.Duration(c.Watch.Every)
		s.command = c.Publish.Command
	}
	if l.opts.Out != "" {
		if abs, err := filepath.Abs(l.opts.Out); err == nil {
			s.out = abs
		}
	}
	if l.opts.Every > 0 {
		s.every = l.opts.Every
	}
	return s
}

// Run builds the site, then rebuilds it on every change and every
// interval, until ctx is done. Bad input never stops it: the errors are
// reported and the last good site, if there is one, stays published. It returns nil when
// ctx ends, after abandoning a build in progress (its stage is removed;
// the published site is whole) and stopping the publish command.
func (l *Loop) Run(ctx context.Context) error {
	l.mu.Lock()
	l.status.Started = l.opts.Clock()
	l.mu.Unlock()
	set := l.settings()
	// Watch first, so that nothing saved during the first build is missed.
	w, err := watch.NewWatcher(l.dir, SiteFilter(l.dir, set.out, set.history), set.debounce, l.opts.Stderr)
	if err != nil {
		return err
	}
	defer w.Close()
	defer l.builder.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wg.Go(func() { w.Run(ctx) })
	wg.Go(func() { l.command.Run(ctx) })

	defer l.stopNotifier()
	ok := l.build(ctx, "start")
	if ctx.Err() != nil {
		return nil
	}
	set = l.settings()
	w.SetFilter(SiteFilter(l.dir, set.out, set.history))
	w.SetDebounce(set.debounce)
	if ok && set.command != "" {
		l.command.Request(set.command, l.Status().Version)
	}

	ticker := time.NewTicker(set.every)
	defer ticker.Stop()
	for {
		reason := "timer"
		select {
		case <-ctx.Done():
			return nil
		case <-w.C:
			changes, complete := w.Changes()
			reason = describe(changes, complete)
			if complete {
				// The builder looks at these files alone; after lost
				// events it looks at every file.
				l.builder.Changed(changes)
			}
		case <-ticker.C:
		}
		ok := l.build(ctx, reason)
		if ctx.Err() != nil {
			return nil
		}
		next := l.settings()
		if next.out != set.out || next.history != set.history {
			w.SetFilter(SiteFilter(l.dir, next.out, next.history))
			if next.history != set.history {
				// The store's folder may be new to the watch.
				w.AddTree(filepath.Dir(next.history))
			}
		}
		// Every build makes the site current, so the timer counts from
		// the last one: edits more frequent than it leave no timer
		// rebuild between them for an edit to wait behind.
		ticker.Reset(next.every)
		w.SetDebounce(next.debounce)
		set = next
		if ok && set.command != "" {
			l.command.Request(set.command, l.Status().Version)
		}
	}
}

func describe(changes []string, complete bool) string {
	switch {
	case !complete:
		return "changes: events were lost, looking at every file"
	case len(changes) == 0:
		return "change"
	case len(changes) == 1:
		return "change: " + changes[0]
	}
	return fmt.Sprintf("change: %s and %d more", changes[0], len(changes)-1)
}

// build rebuilds once and reports it; it says whether it published.
func (l *Loop) build(ctx context.Context, reason string) bool {
	now := l.opts.Clock()
	start := time.Now()
	res, err := l.builder.Build(ctx, now)
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return false
	}
	l.mu.Lock()
	l.status.Builds++
	l.status.LastBuild = now
	l.status.Err = err
	l.status.Every = Duration(l.settingsEveryLocked())
	if err != nil {
		l.status.Error = err.Error()
	} else {
		l.status.Error = ""
		l.status.LastSuccess = now
		l.status.Version = res.Version
		l.status.Out = res.Out
	}
	st := l.status
	l.mu.Unlock()
	if err != nil {
		l.opts.Report(err)
		fmt.Fprintf(l.opts.Stderr, "build failed (%s); %s\n", reason, l.kept())
	} else {
		fmt.Fprintf(l.opts.Stdout, "rebuilt %d files in %d ms: %d changed, %d unchanged; %d rendered, %d reused (%s)\n",
			res.Files, elapsed.Milliseconds(), res.Written, res.Linked+res.Kept, res.Rendered, res.Reused, reason)
		if l.opts.Debug {
			t, ms := res.Timings, func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
			fmt.Fprintf(l.opts.Stdout, "debug: load %v, snapshot and keys %v, render %v, write %v, commit and swap %v\n",
				ms(t.Load), ms(t.Snapshot), ms(t.Render), ms(t.Write), ms(t.Commit))
		}
		l.notify(ctx, res)
	}
	if l.opts.OnBuild != nil {
		l.opts.OnBuild(st)
	}
	return err == nil
}

// kept says what a failed build left published: a version herald
// published (it holds the manifest), or nothing yet.
func (l *Loop) kept() string {
	cur, err := publish.Current(l.settings().out)
	if err == nil && cur != "" {
		if _, err := os.Lstat(filepath.Join(cur, publish.ManifestName)); err == nil {
			return "the last good site stays published"
		}
	}
	return "nothing is published yet"
}

// notify hands a published snapshot to the webhook notifier, which records
// its events on disk and sends them in its own goroutine: neither a dead
// endpoint nor another process holding the notify state's lock ever holds
// up the next build. The notifier is made again when the notify settings
// change.
func (l *Loop) notify(ctx context.Context, res *generator.Result) {
	site := l.builder.Site()
	if site == nil || res.Snapshot == nil {
		return
	}
	cfg := site.Config
	if l.notifier != nil && !reflect.DeepEqual(cfg.Notify, l.notifyCfg) {
		l.stopNotifier()
	}
	if !cfg.Notify.HasChannels() && !cfg.Notify.DraftIncidents {
		return
	}
	if l.notifier == nil {
		n, err := notify.New(cfg, notify.WithLog(func(format string, args ...any) {
			fmt.Fprintf(l.opts.Stderr, format+"\n", args...)
		}), notify.WithObserved(func(r notify.Result) {
			switch {
			case r.Baseline:
				fmt.Fprintln(l.opts.Stdout, "notify: recorded a baseline; events from now on are sent")
			case len(r.Events) > 0:
				fmt.Fprintf(l.opts.Stdout, "notify: %d new events\n", len(r.Events))
			}
		}))
		if err != nil {
			fmt.Fprintf(l.opts.Stderr, "notify: %v\n", err)
			return
		}
		nctx, cancel := context.WithCancel(ctx)
		l.notifier, l.notifyCfg, l.notifyCancel = n, cfg.Notify, cancel
		l.notifyWG.Go(func() { n.Run(nctx) })
	}
	l.notifier.Queue(res.Snapshot)
}

func (l *Loop) stopNotifier() {
	if l.notifier == nil {
		return
	}
	l.notifyCancel()
	l.notifyWG.Wait()
	l.notifier = nil
}

func (l *Loop) settingsEveryLocked() time.Duration {
	if l.opts.Every > 0 {
		return l.opts.Every
	}
	if site := l.builder.Site(); site != nil {
		return time.Duration(site.Config.Watch.Every)
	}
	return config.DefaultEvery
}

// ErrStale is reported by Healthy when the site has not been rebuilt for
// longer than three intervals.
var ErrStale = errors.New("the site has not been rebuilt for over three rebuild intervals")

// Healthy reports whether the site was rebuilt successfully within the
// last three intervals at now (or, before its first success, whether the
// loop started less than three intervals ago).
func (s Status) Healthy(now time.Time) error {
	every := time.Duration(s.Every)
	if every <= 0 {
		every = config.DefaultEvery
	}
	last := s.LastSuccess
	if last.IsZero() {
		last = s.Started
	}
	if now.Sub(last) > 3*every {
		return ErrStale
	}
	return nil
}
