package incident

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/internal/parallel"
)

// Load scans and parses every incident file of the site, in parallel, and
// returns them newest first. The error, if any, is a diag.List naming every
// problem in every file; the incidents that did parse are returned with it.
func Load(ctx context.Context, siteDir string, p *Parser) ([]*Incident, error) {
	sources, err := Scan(siteDir)
	return LoadScanned(ctx, p, sources, err)
}

// LoadScanned is what Load does after its scan, for a caller that scans
// before it has the config a Parser needs (generator.Load reads the
// incident files while herald.yaml loads); sources and scanErr are what
// Scan returned.
func LoadScanned(ctx context.Context, p *Parser, sources []Source, scanErr error) ([]*Incident, error) {
	return Collect(ctx, sources, scanErr, func(ctx context.Context, sources []Source) ([]*Incident, []error, error) {
		return ParseAll(ctx, p, sources)
	})
}

// Collect is what Load does after its scan, for a caller that scans and
// parses in its own way (a generator.Builder, through its caches).
// sources and scanErr are what a scan returned; parse returns, in the
// order of sources, the incident or the error of each, as ParseAll does.
// Collect returns the incidents newest first, each with its translations,
// with every problem of the scan and of each file in one diag.List.
func Collect(ctx context.Context, sources []Source, scanErr error, parse func(context.Context, []Source) ([]*Incident, []error, error)) ([]*Incident, error) {
	var errs diag.List
	errs.Add("", scanErr)
	if scanErr != nil && !errors.As(scanErr, new(diag.List)) {
		return nil, scanErr
	}
	ins, perFile, err := parse(ctx, sources)
	if err != nil {
		return nil, err
	}
	var out, trs []*Incident
	failed := map[string]bool{}
	for i, in := range ins {
		errs.Add(sources[i].File, perFile[i])
		switch {
		case in == nil:
			failed[sources[i].Slug] = true
		case in.translation != nil:
			trs = append(trs, in)
		default:
			out = append(out, in)
		}
	}
	errs = append(errs, translate(out, trs, failed)...)
	SortNewest(out)
	return out, errs.Err()
}

// SplitDrafts separates the drafts from the incidents to publish, each
// keeping the order of ins.
func SplitDrafts(ins []*Incident) (published, drafts []*Incident) {
	for _, in := range ins {
		if in.Draft {
			drafts = append(drafts, in)
		} else {
			published = append(published, in)
		}
	}
	return published, drafts
}

// StartSlack is how far after the clock an incident may start: its author
// may write it as it begins, on a computer whose clock runs a little ahead
// of the one that builds the site.
const StartSlack = 5 * time.Minute

// CheckClock reports every incident of ins that starts more than
// StartSlack after now, at the place in its file that sets its start. Such
// an incident would be listed in the history and the feeds but left out
// of the current status: a live outage hidden by a typo. Maintenance is
// announced ahead, so it is never too early. The error is a diag.List.
//
// Parse does not check this, because its result is kept across builds
// while the clock moves.
func (p *Parser) CheckClock(ins []*Incident, now time.Time) error {
	var errs diag.List
	for _, in := range ins {
		if in.Kind != KindIncident || !in.Started.After(now.Add(StartSlack)) {
			continue
		}
		at := in.startedBy
		errs = append(errs, diag.Errorf(in.File, at.line, at.col, "%s (%s) is after the clock (%s)", at.what, fmtTime(in.Started, p.cfg.Location), fmtTime(now, p.cfg.Location)).
			WithFix("check the date for a typo; for planned work, write `type: maintenance` with scheduled_start and scheduled_end"))
	}
	return errs.Err()
}

// ParseAll parses sources on every core and returns, in the order of
// sources, the incident or the error of each. The error is ctx's, if it
// ended first; the files being parsed then are given up at once.
func ParseAll(ctx context.Context, p *Parser, sources []Source) ([]*Incident, []error, error) {
	out := make([]*Incident, len(sources))
	errs := make([]error, len(sources))
	err := parallel.For(ctx, len(sources), runtime.GOMAXPROCS(0), func(i int) error {
		out[i], errs[i] = p.ParseContext(ctx, sources[i].File, sources[i].Slug, sources[i].Data)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, errs, nil
}
