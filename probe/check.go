// Package probe runs the health checks declared under each component's
// `probe:` in herald.yaml (HTTP(S), TCP, DNS and TLS certificate expiry) on
// a schedule, and hands every result to a recorder, normally the history
// store.
//
// The config package validates the declarations; [Checks] turns a site's
// into Checks. A Scheduler runs them: spread over their interval, with
// bounded concurrency, on absolute deadlines, and serves Prometheus metrics
// about them. Probe targets, headers and the values of environment
// variables are secrets as far as this package is concerned: they never
// appear in a Result, an error message or a log line.
package probe

import (
	"fmt"

	"github.com/herald-status/herald/config"
)

// Kind names what a check does. The names of the declaration's types are
// kept here so the prober's code reads in its own words.
type (
	Kind   = config.ProbeKind
	Header = config.ProbeHeader
	Expect = config.ProbeExpect
)

// The kinds of check.
const (
	HTTP = config.ProbeHTTP
	TCP  = config.ProbeTCP
	DNS  = config.ProbeDNS
	TLS  = config.ProbeTLS
)

// Check is one component's validated probe, as the prober runs it.
//
// Target, header values and Resolver may hold ${VAR} references; they are
// expanded from the environment each time the check runs, and are never
// shown to anyone.
type Check struct {
	Component string
	config.Probe
}

// Checks returns one Check per probed component of cfg, in config order.
func Checks(cfg *config.Config) []*Check {
	var checks []*Check
	for _, c := range cfg.Components {
		if c.Probe != nil {
			checks = append(checks, &Check{Component: c.ID, Probe: *c.Probe})
		}
	}
	return checks
}

// expand replaces every ${NAME} in s with getenv(NAME).
func expand(s string, getenv func(string) string) string { return config.Expand(s, getenv) }

// String names the check without its target, for logs.
func (c *Check) String() string { return fmt.Sprintf("%s (%s)", c.Component, c.Kind) }
