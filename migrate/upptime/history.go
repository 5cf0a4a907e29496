package upptime

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/migrate"
)

// HistorySite is one Upptime site whose history History reads.
type HistorySite struct {
	Name      string // as .upptimerc.yml names it: $SITE_NAME in commit subjects
	Slug      string // names history/<slug>.yml and the site's summary.json entry
	Component string // the herald component id its results are for
}

// Messages are the repository's commit settings from .upptimerc.yml; ""
// is Upptime's default.
type Messages struct {
	Template string // commitMessages.statusChange
	Summary  string // commitMessages.summaryJson
	// Up, Down and Degraded are commitPrefixStatusUp, …Down, …Degraded:
	// the $PREFIX of each status.
	Up, Down, Degraded string
}

// Upptime's defaults, from upptime/uptime-monitor src/update.ts (the
// status commit) and src/summary.ts (the summary commit).
const (
	defaultTemplate = "$PREFIX $SITE_NAME is $STATUS ($RESPONSE_CODE in $RESPONSE_TIME ms) [skip ci] [upptime]"
	defaultSummary  = ":card_file_box: Update status summary [skip ci] [upptime]"
	defaultUp       = "🟩"
	defaultDegraded = "🟨"
	defaultDown     = "🟥"
)

const (
	// gapLimit is the longest stretch without a commit for a site that
	// the log is trusted over: Upptime commits every change of status at
	// once, and every site once a day (the response-time workflow), so a
	// longer silence means Upptime was not running.
	gapLimit = 48 * time.Hour
	// maxSpan is how far back, from the end of the history, results are
	// written: 3 years is about 315,000 results a site, some 30 MB while
	// they are held; what is older is left out, with a note.
	maxSpan = 3 * 365 * 24 * time.Hour
	// maxSubject caps one commit subject read from git log.
	maxSubject = 1 << 20
	// gitWaitDelay bounds the wait for git's output once it is killed.
	gitWaitDelay = 5 * time.Second
)

// state is a status Upptime commits.
type state uint8

const (
	up state = iota
	degraded
	down
)

var stateWords = map[string]state{"up": up, "degraded": degraded, "down": down}

func (s state) String() string { return [...]string{up: "up", degraded: "degraded", down: "down"}[s] }

// sample is one status commit for a site.
type sample struct {
	at    time.Time
	state state
	code  int
	ms    float64
}

// History reads the probe history of sites from the Upptime repository
// repo: the status commits of its git log, and history/summary.json where
// the log has gaps or repo is not a git repository. docs/migrate.md
// ("Upptime: history") says how, and how close it comes to Upptime's
// own uptime figures.
func History(ctx context.Context, repo string, sites []HistorySite, msgs Messages) ([]history.Result, []migrate.Note, error) {
	p, err := newSubjectParser(msgs)
	if err != nil {
		return nil, nil, err
	}
	var errs diag.List
	var notes []migrate.Note
	summaryName := filepath.Join(repo, "history", "summary.json")
	summary, err := readSummary(repo)
	errs.Add(summaryName, err)
	if err == nil && summary == nil {
		notes = append(notes, migrate.Note{File: summaryName, What: "missing", Instead: "where the git log has gaps, they are left without data"})
	}
	files := make([]siteFile, len(sites))
	for i, s := range sites {
		f, ok, err := readSiteFile(repo, s.Slug)
		errs.Add(filepath.Join(repo, "history", s.Slug+".yml"), err)
		if err == nil && !ok {
			notes = append(notes, migrate.Note{File: filepath.Join(repo, "history", s.Slug+".yml"), What: "missing, so the start of " + s.Name + "'s history is unknown", Instead: "its history starts at its first commit"})
		}
		files[i] = f
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}

	var log gitLog
	switch _, err := os.Lstat(filepath.Join(repo, ".git")); {
	case errors.Is(err, fs.ErrNotExist):
		notes = append(notes, migrate.Note{File: repo, What: "not a git repository, so its status commits cannot be read", Instead: "the history comes from history/summary.json only"})
	case err != nil:
		return nil, nil, fmt.Errorf("read git log: %w", err)
	default:
		names := make(map[string]bool, len(sites))
		for _, s := range sites {
			names[s.Name] = true
		}
		log, err = readLog(ctx, repo, p, names)
		if errors.Is(err, exec.ErrNotFound) {
			notes = append(notes, migrate.Note{File: repo, What: "git is not installed, so its status commits cannot be read", Instead: "the history comes from history/summary.json only"})
		} else if err != nil {
			return nil, nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(log.unknown)) {
		notes = append(notes, migrate.Note{File: repo, What: fmt.Sprintf("git log has %d status commits for %q, a site .upptimerc.yml does not list", log.unknown[name], name), Instead: "they are left out"})
	}

	end := log.last
	if end.IsZero() {
		// Without a status commit, Upptime's last check is the newest
		// lastUpdated of any site: it checks them all each run.
		for _, f := range files {
			end = later(end, f.Updated)
		}
	}
	var results []history.Result
	for i, s := range sites {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("read history: %w", err)
		}
		tl := timeline{site: s, samples: log.samples[s.Name], start: files[i].Start, end: end, repo: repo}
		if entry, ok := summary[s.Slug]; ok {
			tl.summary = &entry
		}
		rs, ns := tl.results()
		results = append(results, rs...)
		notes = append(notes, ns...)
	}
	return results, notes, nil
}

// subjectParser reads status commits' subjects with a repository's own
// template and prefixes.
type subjectParser struct {
	re       *regexp.Regexp
	prefixes map[string]state
	summary  string
}

// templateVars are the variables Upptime fills in a status commit's
// template, each only at its first occurrence, as JavaScript's
// String.replace does with a string, and what each matches.
var templateVars = []struct{ name, pattern string }{
	{"$PREFIX", ""}, // the prefixes, set by newSubjectParser
	{"$SITE_NAME", `.+?`},
	{"$SITE_URL", `.*?`},
	{"$SITE_METHOD", `.*?`},
	{"$STATUS", `up|down|degraded`},
	{"$RESPONSE_CODE", `\d+`},
	{"$RESPONSE_TIME", `\d+`},
}

func newSubjectParser(m Messages) (*subjectParser, error) {
	p := &subjectParser{
		summary:  strings.TrimSpace(cmp.Or(m.Summary, defaultSummary)),
		prefixes: map[string]state{},
	}
	// A prefix given to two statuses cannot tell them apart: the later
	// here is taken, and $STATUS, where the template has it, decides.
	for _, pr := range []struct {
		prefix string
		state  state
	}{{cmp.Or(m.Down, defaultDown), down}, {cmp.Or(m.Degraded, defaultDegraded), degraded}, {cmp.Or(m.Up, defaultUp), up}} {
		p.prefixes[pr.prefix] = pr.state
	}
	prefixes := slices.Collect(maps.Keys(p.prefixes))
	// Longest first, so that a prefix that begins another is not taken
	// for it.
	slices.SortFunc(prefixes, func(a, b string) int { return len(b) - len(a) })
	for i, pr := range prefixes {
		prefixes[i] = regexp.QuoteMeta(pr)
	}

	// Git keeps a subject without its surrounding white space.
	tmpl := strings.TrimSpace(cmp.Or(m.Template, defaultTemplate))
	type at struct {
		i       int
		name    string
		pattern string
	}
	var found []at
	for _, v := range templateVars {
		if i := strings.Index(tmpl, v.name); i >= 0 {
			pattern := v.pattern
			if v.name == "$PREFIX" {
				pattern = strings.Join(prefixes, "|")
			}
			found = append(found, at{i, v.name, pattern})
		}
	}
	has := func(name string) bool {
		return slices.ContainsFunc(found, func(a at) bool { return a.name == name })
	}
	if !has("$SITE_NAME") || !has("$STATUS") && !has("$PREFIX") {
		return nil, fmt.Errorf("read commitMessages.statusChange %q: it needs $SITE_NAME, and $STATUS or $PREFIX, to tell whose status a commit gives", tmpl)
	}
	slices.SortFunc(found, func(a, b at) int { return a.i - b.i })
	var re strings.Builder
	re.WriteString("^")
	pos := 0
	for _, f := range found {
		re.WriteString(regexp.QuoteMeta(tmpl[pos:f.i]))
		fmt.Fprintf(&re, "(?P<%s>%s)", strings.TrimPrefix(f.name, "$"), f.pattern)
		pos = f.i + len(f.name)
	}
	re.WriteString(regexp.QuoteMeta(tmpl[pos:]) + "$")
	var err error
	if p.re, err = regexp.Compile(re.String()); err != nil {
		return nil, fmt.Errorf("read commitMessages.statusChange %q: %w", tmpl, err)
	}
	return p, nil
}

// parse reads a status commit's subject; ok is false for any other commit.
func (p *subjectParser) parse(subject string) (name string, s sample, ok bool) {
	m := p.re.FindStringSubmatch(subject)
	if m == nil {
		return "", s, false
	}
	group := func(name string) string {
		if i := p.re.SubexpIndex(name); i >= 0 {
			return m[i]
		}
		return ""
	}
	if word := group("STATUS"); word != "" {
		s.state = stateWords[word]
	} else {
		s.state = p.prefixes[group("PREFIX")]
	}
	s.code, _ = strconv.Atoi(group("RESPONSE_CODE"))
	s.ms, _ = strconv.ParseFloat(group("RESPONSE_TIME"), 64)
	return group("SITE_NAME"), s, true
}

// gitLog is what the status and summary commits of a log say.
type gitLog struct {
	// samples are each listed site's status commits, oldest first; nil
	// when there is no log.
	samples map[string][]sample
	// unknown counts the status commits of sites not listed.
	unknown map[string]int
	// last is the time of the newest status or summary commit: Upptime
	// was running then.
	last time.Time
}

// readLog runs git log in repo and reads the status commits of the sites
// named. It runs the git binary rather than a Go git library: a migration
// runs once, on a clone, where git is installed, and git reads every
// repository format (packs, shallow clones, worktrees) that a library
// might not; docs/migrate.md says so.
func readLog(ctx context.Context, repo string, p *subjectParser, names map[string]bool) (gitLog, error) {
	log := gitLog{samples: map[string][]sample{}, unknown: map[string]int{}}
	// -z ends each commit with a NUL, and %x00 splits its fields: no
	// subject can hold a NUL. %cI is the committer date in strict ISO
	// 8601: Upptime commits as it checks, so the committer date is the
	// check's time.
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "-c", "log.showSignature=false", "log", "-z", "--format=%cI%x00%s", "HEAD")
	cmd.WaitDelay = gitWaitDelay
	cmd.Env = slices.DeleteFunc(os.Environ(), redirectsGit)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return log, fmt.Errorf("read git log: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return log, fmt.Errorf("read git log: %w", err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 4096), maxSubject)
	sc.Split(splitNUL)
	var scanErr error
	for sc.Scan() {
		date := sc.Text()
		if !sc.Scan() {
			break
		}
		subject := sc.Text()
		at, err := time.Parse(time.RFC3339, date)
		if err != nil {
			scanErr = fmt.Errorf("read git log: commit date %q: %w", date, err)
			break
		}
		at = at.UTC()
		if subject == p.summary {
			log.last = later(log.last, at)
			continue
		}
		name, s, ok := p.parse(subject)
		switch {
		case !ok:
		case !names[name]:
			log.unknown[name]++
		default:
			s.at = at
			log.samples[name] = append(log.samples[name], s)
			log.last = later(log.last, at)
		}
	}
	if err := sc.Err(); err != nil && scanErr == nil {
		scanErr = fmt.Errorf("read git log: %w", err)
	}
	if scanErr != nil {
		// Stop git rather than wait for it to write the rest.
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return log, fmt.Errorf("read git log: %w", ctx.Err())
	case scanErr != nil:
		return log, scanErr
	case waitErr != nil:
		return log, fmt.Errorf("read git log: %w: %s", waitErr, strings.TrimSpace(stderr.String()))
	}
	for name, ss := range log.samples {
		// git lists the newest first; commits of the same second keep
		// their order.
		slices.Reverse(ss)
		slices.SortStableFunc(ss, func(a, b sample) int { return a.at.Compare(b.at) })
		log.samples[name] = ss
	}
	return log, nil
}

// redirectsGit reports whether the environment variable kv would point git
// at another repository than the one in its -C folder, as GIT_DIR does
// when herald runs from a git hook.
func redirectsGit(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	switch name {
	case "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES":
		return true
	}
	return false
}

// splitNUL is a bufio.SplitFunc for NUL-separated tokens.
func splitNUL(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// timeline turns one site's commits into results.
type timeline struct {
	site    HistorySite
	samples []sample // oldest first
	// start is the site's startTime, zero when unknown; end is the last
	// time Upptime is known to have run.
	start, end time.Time
	summary    *summarySite // nil when summary.json has no entry
	repo       string
}

// results records the state continuously, a result every Interval: from
// each commit to the next the earlier commit's state holds. A stretch
// before the first commit, or longer than gapLimit, is filled from
// summary.json's dailyMinutesDown instead.
func (tl *timeline) results() ([]history.Result, []migrate.Note) {
	var notes []migrate.Note
	note := func(what, instead string) {
		notes = append(notes, migrate.Note{File: tl.repo, What: what, Instead: instead})
	}
	start := tl.start
	if start.IsZero() && len(tl.samples) > 0 {
		start = tl.samples[0].at
	}
	switch {
	case start.IsZero():
		note(fmt.Sprintf("no status commit and no startTime for %s", tl.site.Name), "it has no history")
		return nil, notes
	case !tl.end.After(start):
		note(fmt.Sprintf("%s starts at %s, after Upptime last ran", tl.site.Name, start.Format(time.RFC3339)), "it has no history")
		return nil, notes
	}
	if tl.end.Sub(start) > maxSpan {
		start = tl.end.Add(-maxSpan)
		note(fmt.Sprintf("%s's history before %s", tl.site.Name, day(start)), fmt.Sprintf("left out: migrate imports at most %d years", maxSpan/(365*24*time.Hour)))
	}

	// One result an Interval, and one more where a stretch ends between two.
	rs := make([]history.Result, 0, int(tl.end.Sub(start)/Interval)+len(tl.samples)+1)
	loggedDown := map[string]time.Duration{}
	type gap struct{ from, to time.Time }
	var gaps []gap
	// held is the commit whose state holds at cur; nil before the first.
	var held *sample
	i := 0
	for ; i < len(tl.samples) && !tl.samples[i].at.After(start); i++ {
		held = &tl.samples[i]
	}
	for cur := start; cur.Before(tl.end); {
		next := tl.end
		if i < len(tl.samples) && tl.samples[i].at.Before(tl.end) {
			next = tl.samples[i].at
		}
		if next.After(cur) {
			if held != nil && next.Sub(cur) <= gapLimit {
				rs = tl.emit(rs, cur, next, held.state == up, held.ms, held.code, held.state.String())
				if held.state != up {
					eachDay(cur, next, func(key string, from, to time.Time) { loggedDown[key] += to.Sub(from) })
				}
			} else {
				gaps = append(gaps, gap{cur, next})
			}
		}
		if i >= len(tl.samples) {
			break
		}
		held, cur = &tl.samples[i], next
		i++
	}

	filled := map[string]time.Duration{}
	for _, g := range gaps {
		what := fmt.Sprintf("no status commit for %s from %s to %s", tl.site.Name, g.from.Format(time.RFC3339), g.to.Format(time.RFC3339))
		if tl.summary == nil {
			note(what, "left without data: history/summary.json has no entry for "+tl.site.Slug)
			continue
		}
		note(what, "filled from history/summary.json's dailyMinutesDown")
		eachDay(g.from, g.to, func(key string, from, to time.Time) {
			downFor := time.Duration(tl.summary.DailyMinutesDown[key])*time.Minute - loggedDown[key] - filled[key]
			downFor = min(max(downFor, 0), to.Sub(from))
			filled[key] += downFor
			rs = tl.emit(rs, from, from.Add(downFor), false, 0, 0, "down (history/summary.json)")
			rs = tl.emit(rs, from.Add(downFor), to, true, tl.summary.Time, 0, "")
		})
	}
	// The stretches are disjoint, so no two results have the same time.
	slices.SortFunc(rs, func(a, b history.Result) int { return a.Time.Compare(b.Time) })
	return rs, notes
}

// emit appends a result every Interval over [from, to), each the same.
func (tl *timeline) emit(rs []history.Result, from, to time.Time, ok bool, ms float64, code int, failure string) []history.Result {
	if ok {
		failure = ""
	}
	for t := from; t.Before(to); t = t.Add(Interval) {
		rs = append(rs, history.Result{Component: tl.site.Component, Time: t, OK: ok, LatencyMS: ms, Status: code, Error: failure})
	}
	return rs
}

// eachDay calls f with each UTC day's part of [from, to), and the day.
func eachDay(from, to time.Time, f func(day string, from, to time.Time)) {
	for from.Before(to) {
		y, m, d := from.UTC().Date()
		end := earlier(to, time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC))
		f(day(from), from, end)
		from = end
	}
}

// day is t's UTC day, as dailyMinutesDown names it.
func day(t time.Time) string { return t.UTC().Format(dayFormat) }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
