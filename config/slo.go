package config

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/strictyaml"
)

// SLO is a component's service level objective: the uptime it aims for
// over a window, and so the downtime it may spend (docs/uptime.md).
type SLO struct {
	// TargetText is `target` as written, e.g. "99.9%"; Target is it read,
	// as a fraction strictly between 0 and 1.
	TargetText string  `yaml:"target"`
	Target     float64 `yaml:"-"`
	// Window is `window` as written: "30d" (the last 30 days up to now),
	// or "month" (the calendar month in the site timezone).
	// Days is a rolling window's length, 0 for "month".
	Window string `yaml:"window"`
	Days   int    `yaml:"-"`
}

// Month is the SLO window of the calendar month.
const Month = "month"

// DefaultSLOWindow is the window of an SLO that names none.
const DefaultSLOWindow = "30d"

var daysRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[1-9][0-9]{0,3}d$`) })

// parseSLO reads the SLO at path, if any. Its window must fit in the
// history a build reads (history.days), or its start would read as no
// data.
func (c *Config) parseSLO(doc *strictyaml.Doc, path string, comp *Component) diag.List {
	slo := comp.SLO
	if slo == nil || doc.Failed(path) {
		return nil
	}
	var errs diag.List
	// Without a probe only declared time is known, which says nothing of
	// how often the component was up: its SLO could never be measured.
	if !doc.Has(strings.TrimSuffix(path, ".slo")+".probe") && (c.History.Source != "prometheus" || comp.Prometheus == "") {
		errs = append(errs, doc.Errorf(path, "component %q has an slo but no probe to measure it", comp.ID).WithFix("add a `probe:` to the component, or remove its slo"))
	}
	switch v, ok := ParsePercent(slo.TargetText); {
	case !doc.Has(path + ".target"):
		errs = append(errs, doc.Errorf(path, "slo without a target").WithFix("add `target:`, e.g. `target: 99.9%%`"))
	case !ok || v <= 0 || v >= 1:
		errs = append(errs, doc.Errorf(path+".target", "slo target must be a percentage above 0%% and below 100%%, found %q", slo.TargetText).WithFix("write it with its sign, e.g. `target: 99.9%%`"))
	default:
		slo.Target = v
	}
	if slo.Window == "" {
		slo.Window = DefaultSLOWindow
	}
	need := 31 // the longest month
	switch {
	case slo.Window == Month:
	case daysRE().MatchString(slo.Window):
		slo.Days, _ = strconv.Atoi(slo.Window[:len(slo.Window)-1])
		need = slo.Days
	default:
		return append(errs, doc.Errorf(path+".window", "unknown slo window %q", slo.Window).WithFix("use a number of days, e.g. `window: 30d`, or `window: month` for the calendar month"))
	}
	if need > c.History.Days && c.History.Days > 0 {
		at := path + ".window"
		if !doc.Has(at) {
			at = path
		}
		errs = append(errs, doc.Errorf(at, "slo window %s is longer than the %d days of history.days", slo.Window, c.History.Days).WithFix("raise history.days to at least %d, or shorten the window", need))
	}
	return errs
}
