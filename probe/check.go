// Package probe runs the health checks declared under each component's
// `probe:` in herald.yaml (HTTP(S), TCP, DNS and TLS certificate expiry) on
// a schedule, and hands every result to a recorder, normally the history
// store.
//
// Parse turns herald.yaml's probe mappings into Checks, reporting every
// mistake as herald.yaml:line:col. A Scheduler runs them: spread over their
// interval, with bounded concurrency, on absolute deadlines, and serves
// Prometheus metrics about them. Probe targets, headers and the values of
// environment variables are secrets as far as this package is concerned:
// they never appear in a Result, an error message or a log line.
package probe

import (
	"fmt"
	"net/netip"
	"regexp"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

// Kind names what a check does; the key that is present in the probe
// mapping names it.
type Kind string

// The kinds of check.
const (
	HTTP Kind = "http"
	TCP  Kind = "tcp"
	DNS  Kind = "dns"
	TLS  Kind = "tls"
)

// Kinds lists every kind, in the order the documentation gives them.
var Kinds = []Kind{HTTP, TCP, DNS, TLS}

// Defaults for keys left out of a probe mapping.
const (
	DefaultInterval = 60 * time.Second
	DefaultTimeout  = 10 * time.Second
	DefaultConfirm  = 1
	DefaultMethod   = "GET"
	// MinInterval keeps a typo such as `interval: 1ms` from turning herald
	// into a load generator against the site it watches.
	MinInterval = time.Second
)

// Check is one component's validated probe.
//
// Target, header values and Resolver may hold ${VAR} references; they are
// expanded from the environment each time the check runs, and are never
// shown to anyone.
type Check struct {
	Component string
	Kind      Kind
	Target    string // URL for http, host:port for tcp and tls, a name for dns
	Interval  time.Duration
	Timeout   time.Duration
	Retries   int // immediate retries within one run before a failure is recorded
	Confirm   int // consecutive agreeing results before the state changes

	Method   string   // http only
	Headers  []Header // http only, in file order
	Resolver string   // dns only: host:port of the DNS server to ask; empty means the system's

	Expect Expect

	// refs are the ${VAR} references, with their place in herald.yaml, so
	// an unset variable can be reported on its line.
	refs      []varRef
	targetPos [2]int // line and column of the target in herald.yaml
}

// Header is one request header of an http check.
type Header struct {
	Name, Value string
}

// Expect is what a result must show to pass. A zero field is not checked.
type Expect struct {
	Status       []int          // http: one of these codes; empty means any 2xx
	BodyContains string         // http
	BodyRegexp   *regexp.Regexp // http
	MaxLatency   time.Duration  // any kind
	Address      netip.Addr     // dns: must be among the answers
	CertDaysLeft int            // tls: the certificate must be valid at least this many more days
}

// Options returns what the history store needs to know about the check's
// component: how often it is probed, and how many agreeing results confirm
// a change of state.
func (c *Check) Options() (interval time.Duration, confirm int) {
	return c.Interval, c.Confirm
}

// HistoryOptions are the history store's settings for the site's checks:
// its retention, and each probed component's interval and confirm count,
// which the store builds states from.
func HistoryOptions(cfg *config.Config, checks []*Check) history.Options {
	opts := history.Options{Components: map[string]history.ComponentOptions{}, Retention: cfg.History.Retention.D()}
	for _, c := range checks {
		interval, confirm := c.Options()
		opts.Components[c.Component] = history.ComponentOptions{Interval: interval, Confirm: confirm}
	}
	return opts
}

// varRef is a ${NAME} reference in a probe value, at line:col of herald.yaml.
type varRef struct {
	name      string
	line, col int
}

// varRE matches one ${NAME} reference. Only this form is expanded: a bare
// `$` is common in passwords and must stay literal.
var varRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces every ${NAME} in s with getenv(NAME).
func expand(s string, getenv func(string) string) string {
	if !containsRef(s) {
		return s
	}
	return varRE.ReplaceAllStringFunc(s, func(ref string) string {
		return getenv(ref[2 : len(ref)-1])
	})
}

func containsRef(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}

// String names the check without its target, for logs.
func (c *Check) String() string { return fmt.Sprintf("%s (%s)", c.Component, c.Kind) }
