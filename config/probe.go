package config

import (
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/diag"
)

// ProbeKind names what a probe does; the key that is present in the probe
// mapping names it.
type ProbeKind string

// The kinds of probe.
const (
	ProbeHTTP ProbeKind = "http"
	ProbeTCP  ProbeKind = "tcp"
	ProbeDNS  ProbeKind = "dns"
	ProbeTLS  ProbeKind = "tls"
)

// ProbeKinds lists every kind, in the order the documentation gives them.
var ProbeKinds = []ProbeKind{ProbeHTTP, ProbeTCP, ProbeDNS, ProbeTLS}

// Defaults for keys left out of a probe mapping.
const (
	DefaultProbeInterval = 60 * time.Second
	DefaultProbeTimeout  = 10 * time.Second
	DefaultProbeConfirm  = 1
	DefaultProbeMethod   = "GET"
	// MinProbeInterval keeps a typo such as `interval: 1ms` from turning
	// herald into a load generator against the site it watches.
	MinProbeInterval = time.Second
)

// Probe is one component's validated `probe:` declaration.
//
// Target, header values and Resolver may hold ${VAR} references; the
// prober expands them from the environment each time the check runs
// ([Expand]), and they are never shown to anyone: nothing of a Probe may
// reach the rendered site, an error message or a log line.
type Probe struct {
	Kind     ProbeKind
	Target   string // URL for http, host:port for tcp and tls, a name for dns
	Interval time.Duration
	Timeout  time.Duration
	Retries  int // immediate retries within one run before a failure is recorded
	Confirm  int // consecutive agreeing results before the state changes
	// DegradedOver marks a passing result slower than it degraded; 0 never.
	// The history store applies it when it builds states, so the raw
	// results keep their meaning and a changed threshold can be reapplied.
	DegradedOver time.Duration

	Method   string        // http only
	Headers  []ProbeHeader // http only, in file order
	Resolver string        // dns only: host:port of the DNS server to ask; empty means the system's

	Expect ProbeExpect

	// refs are the ${VAR} references, with their place in herald.yaml, so
	// an unset variable can be reported on its line.
	refs      []varRef
	targetPos [2]int // line and column of the target in herald.yaml
}

// ProbeHeader is one request header of an http probe.
type ProbeHeader struct {
	Name, Value string
}

// ProbeExpect is what a result must show to pass. A zero field is not
// checked.
type ProbeExpect struct {
	Status       []int          // http: one of these codes; empty means any 2xx
	BodyContains string         // http
	BodyRegexp   *regexp.Regexp // http
	MaxLatency   time.Duration  // any kind
	Address      netip.Addr     // dns: must be among the answers
	CertDaysLeft int            // tls: the certificate must be valid at least this many more days
}

// varRef is a ${NAME} reference in a probe value, at line:col of herald.yaml.
type varRef struct {
	name      string
	line, col int
}

// varRE matches one ${NAME} reference. Only this form is expanded: a bare
// `$` is common in passwords and must stay literal.
var varRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`) })

// Expand replaces every ${NAME} in s with getenv(NAME).
func Expand(s string, getenv func(string) string) string {
	if !containsRef(s) {
		return s
	}
	return varRE().ReplaceAllStringFunc(s, func(ref string) string {
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

// parseProbes validates the probe of every component and sets its Probe.
// It does not look at the environment, so `herald check` can validate a
// site in CI where the secrets that ${VAR} references name are not set;
// [Config.CheckEnv] requires them.
func (c *Config) parseProbes() diag.List {
	var errs diag.List
	for i := range c.Components {
		comp := &c.Components[i]
		if comp.ProbeYAML.Kind == 0 {
			continue
		}
		p := &parser{}
		probe := p.check(comp.ID, &comp.ProbeYAML)
		if len(p.errs) > 0 {
			errs = append(errs, p.errs...)
			continue
		}
		comp.Probe = probe
	}
	return errs
}

// CheckEnv reports every ${VAR} reference in a probe whose variable getenv
// returns empty for, on its line, and a whole-target reference that does
// not expand to a valid target. The prober needs them; a build does not.
func (c *Config) CheckEnv(getenv func(string) string) error {
	var errs diag.List
	for _, comp := range c.Components {
		if comp.Probe != nil {
			p := &parser{}
			p.env(comp.Probe, getenv)
			errs = append(errs, p.errs...)
		}
	}
	return errs.Err()
}

// Keys allowed in every probe, and those each kind adds.
var (
	commonKeys = []string{"interval", "timeout", "retries", "confirm", "degraded_over"}
	kindKeys   = map[ProbeKind][]string{
		ProbeHTTP: {"method", "headers", "expect"},
		ProbeTCP:  {"expect"},
		ProbeDNS:  {"resolver", "expect"},
		ProbeTLS:  {"expect"},
	}
	expectKeys = map[ProbeKind][]string{
		ProbeHTTP: {"status", "body_contains", "body_regexp", "max_latency"},
		ProbeTCP:  {"max_latency"},
		ProbeDNS:  {"address", "max_latency"},
		ProbeTLS:  {"cert_days_left", "max_latency"},
	}
)

// parser collects every error of one probe mapping.
type parser struct {
	errs diag.List
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) *diag.Error {
	e := diag.Errorf(FileName, n.Line, n.Column, format, args...)
	p.errs = append(p.errs, e)
	return e
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// pair is one key and its value in a mapping.
type pair struct{ k, v *yaml.Node }

func pairs(n *yaml.Node) []pair {
	var ps []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, pair{deref(n.Content[i]), deref(n.Content[i+1])})
	}
	return ps
}

func (p *parser) check(id string, n *yaml.Node) *Probe {
	n = deref(n)
	c := &Probe{Confirm: DefaultProbeConfirm}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "probe of %q must be a mapping", id).WithFix("e.g. `probe: {http: https://api.example.com/health}`")
		return c
	}
	ps := pairs(n)
	var kindKey *yaml.Node
	for _, kv := range ps {
		k := ProbeKind(kv.k.Value)
		if !slices.Contains(ProbeKinds, k) {
			continue
		}
		if kindKey != nil {
			p.errorf(kv.k, "probe of %q has two kinds, %s and %s", id, c.Kind, k).WithFix("keep one check per component, or split it into two components")
			continue
		}
		kindKey, c.Kind = kv.k, k
	}
	if kindKey == nil {
		p.errorf(n, "probe of %q names no kind", id).WithFix("add one of http:, tcp:, dns: or tls:")
	}

	var intervalNode, timeoutNode, degradedNode *yaml.Node
	for _, kv := range ps {
		key := kv.k.Value
		switch {
		case ProbeKind(key) == c.Kind:
			c.Target = p.target(c, kv.v)
		case slices.Contains(ProbeKinds, ProbeKind(key)):
			// the second kind, reported above
		case key == "interval":
			intervalNode = kv.v
			c.Interval = p.duration(kv.v, key)
		case key == "timeout":
			timeoutNode = kv.v
			c.Timeout = p.duration(kv.v, key)
		case key == "retries":
			c.Retries = p.intIn(kv.v, key, 0, 10)
		case key == "confirm":
			c.Confirm = p.intIn(kv.v, key, 1, 100)
		case key == "degraded_over":
			degradedNode = kv.v
			c.DegradedOver = p.duration(kv.v, key)
		case c.Kind != "" && slices.Contains(kindKeys[c.Kind], key):
			p.kindKey(c, key, kv.v)
		default:
			p.unknown(kv.k, c.Kind, "probe", validKeys(c.Kind))
		}
	}

	switch {
	case intervalNode == nil:
		c.Interval = DefaultProbeInterval
	case c.Interval > 0 && c.Interval < MinProbeInterval:
		p.errorf(intervalNode, "interval %s is shorter than %s", FormatDuration(c.Interval), FormatDuration(MinProbeInterval)).WithFix("probe at most once a second, e.g. `interval: 30s`")
	}
	switch {
	case timeoutNode == nil:
		// Half the interval for short intervals, so the default is never
		// itself an error.
		c.Timeout = min(DefaultProbeTimeout, c.Interval/2)
	case c.Timeout > 0 && c.Interval > 0 && c.Timeout >= c.Interval:
		dflt := ""
		if intervalNode == nil {
			dflt = " (the default)"
		}
		p.errorf(timeoutNode, "timeout %s must be shorter than interval %s%s", FormatDuration(c.Timeout), FormatDuration(c.Interval), dflt).WithFix("lower timeout or raise interval")
	}
	// A threshold no passing result can cross would never mark anything
	// degraded: the attempt is cut off at timeout, and fails beyond
	// max_latency.
	switch {
	case degradedNode == nil || c.DegradedOver <= 0:
	case c.Expect.MaxLatency > 0 && c.DegradedOver >= c.Expect.MaxLatency:
		p.errorf(degradedNode, "degraded_over %s must be shorter than expect.max_latency %s", FormatDuration(c.DegradedOver), FormatDuration(c.Expect.MaxLatency)).WithFix("a result slower than max_latency fails; lower degraded_over")
	case c.Timeout > 0 && c.DegradedOver >= c.Timeout:
		p.errorf(degradedNode, "degraded_over %s must be shorter than timeout %s", FormatDuration(c.DegradedOver), FormatDuration(c.Timeout)).WithFix("an attempt is cut off at timeout; lower degraded_over or raise timeout")
	}
	if c.Kind == ProbeHTTP && c.Method == "" {
		c.Method = DefaultProbeMethod
	}
	return c
}

// validKeys lists the keys a probe of kind k may hold; with no kind, every key.
func validKeys(k ProbeKind) []string {
	keys := slices.Clone(commonKeys)
	for _, kind := range ProbeKinds {
		if k == "" || k == kind {
			keys = append(keys, string(kind))
			keys = append(keys, kindKeys[kind]...)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// unknown reports a key that does not belong, naming the kinds it would
// belong to if it is another kind's key.
func (p *parser) unknown(k *yaml.Node, kind ProbeKind, where string, valid []string) {
	var owners []string
	table := kindKeys
	if where == "expect" {
		table = expectKeys
	}
	for _, other := range ProbeKinds {
		if slices.Contains(table[other], k.Value) {
			owners = append(owners, string(other))
		}
	}
	switch {
	case kind == "" && len(owners) > 0:
		// Another kind's key in a probe that names no kind: the missing
		// kind is the mistake, and it is reported already.
		return
	case len(owners) > 0:
		p.errorf(k, "key %q in %s does not apply to %s checks", k.Value, where, kind).WithFix("it applies to %s checks", strings.Join(owners, " and "))
		return
	}
	e := p.errorf(k, "unknown key %q in %s", k.Value, where)
	if best := diag.Closest(k.Value, valid); best != "" {
		e.WithFix("did you mean %q?", best)
	} else {
		e.WithFix("known keys: %s", strings.Join(valid, ", "))
	}
}

func (p *parser) kindKey(c *Probe, key string, v *yaml.Node) {
	switch key {
	case "method":
		if s, ok := p.str(v, key); ok {
			if !methodRE().MatchString(s) {
				p.errorf(v, "method %q is not an HTTP method", s).WithFix("use GET, HEAD or POST, in capitals")
			}
			c.Method = s
		}
	case "headers":
		p.headers(c, v)
	case "resolver":
		if s, ok := p.str(v, key); ok {
			p.refs(c, v, s)
			if !validHostPort(s) {
				p.errorf(v, "resolver must be host:port").WithFix("e.g. `resolver: 127.0.0.1:53`")
			}
			c.Resolver = s
		}
	case "expect":
		p.expect(c, v)
	}
}

var (
	methodRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]+$`) })
	headerNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$") })
	dnsNameRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$`)
	})
)

// target validates the value of the kind key. Error messages describe the
// problem without repeating the value: it may be, or hold, a secret.
func (p *parser) target(c *Probe, v *yaml.Node) string {
	s, ok := p.str(v, string(c.Kind))
	if !ok {
		return ""
	}
	p.refs(c, v, s)
	c.targetPos = [2]int{v.Line, v.Column}
	if strings.HasPrefix(s, "${") {
		return s // the whole target comes from the environment; CheckEnv checks it
	}
	switch c.Kind {
	case ProbeHTTP:
		if !validURL(placeholder(s)) {
			p.errorf(v, "http target is not an absolute http(s) URL").WithFix("e.g. `http: https://api.example.com/health`")
		}
	case ProbeTCP, ProbeTLS:
		if !validHostPort(s) {
			p.errorf(v, "%s target must be host:port", c.Kind).WithFix("e.g. `%s: db.example.com:%s`", c.Kind, map[ProbeKind]string{ProbeTCP: "5432", ProbeTLS: "443"}[c.Kind])
		}
	case ProbeDNS:
		if !dnsNameRE().MatchString(placeholder(s)) || len(s) > 253 {
			p.errorf(v, "dns target is not a host name").WithFix("e.g. `dns: api.example.com`")
		}
	}
	return s
}

// placeholder stands in for ${VAR} references so the rest of a value can be
// checked before the environment is known.
func placeholder(s string) string { return varRE().ReplaceAllString(s, "x") }

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validHostPort(s string) bool {
	host, port, err := net.SplitHostPort(placeholder(s))
	if err != nil || host == "" {
		return false
	}
	if port == "x" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// refs records the ${VAR} references in s and reports malformed ones.
func (p *parser) refs(c *Probe, v *yaml.Node, s string) {
	for _, m := range varRE().FindAllStringSubmatch(s, -1) {
		c.refs = append(c.refs, varRef{name: m[1], line: v.Line, col: v.Column})
	}
	if containsRef(varRE().ReplaceAllString(s, "")) {
		p.errorf(v, "malformed ${…} reference").WithFix("write ${NAME}, NAME being letters, digits and underscores")
	}
}

func (p *parser) headers(c *Probe, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "headers must be a mapping of names to values").WithFix("e.g. `headers: {Authorization: \"Bearer ${API_TOKEN}\"}`")
		return
	}
	for _, kv := range pairs(v) {
		if !headerNameRE().MatchString(kv.k.Value) {
			p.errorf(kv.k, "%q is not an HTTP header name", kv.k.Value)
			continue
		}
		val, ok := p.str(kv.v, "header "+kv.k.Value)
		if !ok {
			continue
		}
		if strings.ContainsAny(val, "\r\n") {
			p.errorf(kv.v, "header %s holds a line break", kv.k.Value)
			continue
		}
		p.refs(c, kv.v, val)
		c.Headers = append(c.Headers, ProbeHeader{Name: kv.k.Value, Value: val})
	}
}

func (p *parser) expect(c *Probe, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "expect must be a mapping").WithFix("e.g. `expect: {status: [200], max_latency: 2s}`")
		return
	}
	valid := slices.Sorted(slices.Values(expectKeys[c.Kind]))
	for _, kv := range pairs(v) {
		key := kv.k.Value
		if !slices.Contains(valid, key) {
			p.unknown(kv.k, c.Kind, "expect", valid)
			continue
		}
		switch key {
		case "status":
			p.status(c, kv.v)
		case "body_contains":
			if s, ok := p.str(kv.v, key); ok {
				if s == "" {
					p.errorf(kv.v, "body_contains is empty").WithFix("give the text the body must contain, or remove the key")
				}
				c.Expect.BodyContains = s
			}
		case "body_regexp":
			if s, ok := p.str(kv.v, key); ok {
				re, err := regexp.Compile(s)
				if err != nil {
					p.errorf(kv.v, "body_regexp: %v", err).WithFix("use Go regexp syntax, see https://pkg.go.dev/regexp/syntax")
				}
				c.Expect.BodyRegexp = re
			}
		case "max_latency":
			c.Expect.MaxLatency = p.duration(kv.v, key)
		case "address":
			if s, ok := p.str(kv.v, key); ok {
				a, err := netip.ParseAddr(s)
				if err != nil {
					p.errorf(kv.v, "address %q is not an IP address", s).WithFix("e.g. `address: 192.0.2.10` or `address: 2001:db8::10`")
				}
				c.Expect.Address = a
			}
		case "cert_days_left":
			c.Expect.CertDaysLeft = p.intIn(kv.v, key, 0, 3650)
		}
	}
}

func (p *parser) status(c *Probe, v *yaml.Node) {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
		if len(items) == 0 {
			p.errorf(v, "status is an empty list").WithFix("list the codes that pass, e.g. `status: [200, 204]`, or remove the key for any 2xx")
		}
	}
	for _, it := range items {
		if code := p.intIn(deref(it), "status", 100, 599); code != 0 {
			c.Expect.Status = append(c.Expect.Status, code)
		}
	}
}

// str returns a scalar's text; a mapping, a list or a null is an error.
func (p *parser) str(v *yaml.Node, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errorf(v, "%s must be text, found %s", key, describeNode(v))
		return "", false
	}
	return v.Value, true
}

func (p *parser) duration(v *yaml.Node, key string) time.Duration {
	d, err := ParseDuration(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		p.errorf(v, "%s must be a duration such as 30s, 5m or 1h, found %s", key, describeNode(v))
		return 0
	}
	if d <= 0 {
		p.errorf(v, "%s must be positive, found %s", key, describeNode(v))
		return 0
	}
	return d
}

func (p *parser) intIn(v *yaml.Node, key string, lo, hi int) int {
	n, err := strconv.Atoi(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		p.errorf(v, "%s must be a whole number, found %s", key, describeNode(v))
		return 0
	}
	if n < lo || n > hi {
		p.errorf(v, "%s must be between %d and %d, found %d", key, lo, hi, n)
		return 0
	}
	return n
}

func describeNode(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Tag == "!!null":
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

// env reports every reference to a variable that getenv leaves empty, and
// a whole-target reference that does not expand to a valid target.
func (p *parser) env(c *Probe, getenv func(string) string) {
	missing := false
	seen := map[varRef]bool{}
	for _, r := range c.refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		if getenv(r.name) == "" {
			missing = true
			p.errs = append(p.errs, diag.Errorf(FileName, r.line, r.col, "environment variable %s is not set", r.name).WithFix("export it before running herald probe, or remove the reference"))
		}
	}
	if missing || !strings.HasPrefix(c.Target, "${") {
		return
	}
	line, col := c.targetPos[0], c.targetPos[1]
	t := Expand(c.Target, getenv)
	bad := false
	switch c.Kind {
	case ProbeHTTP:
		bad = !validURL(t)
	case ProbeTCP, ProbeTLS:
		bad = !validHostPort(t)
	case ProbeDNS:
		bad = !dnsNameRE().MatchString(t)
	}
	if bad {
		// The expanded value is a secret: say what is wrong, not what it is.
		p.errs = append(p.errs, diag.Errorf(FileName, line, col, "%s target is not valid once its variables are expanded", c.Kind).WithFix("check the variable's value; it is not shown here"))
	}
}
