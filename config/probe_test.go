package config

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/diag"
)

// probeSite is herald.yaml with one component whose probe is body,
// indented under `probe:` on line 6, so the probe's first key is on line 7,
// col 7.
func probeSite(body string) (*Config, error) {
	var b strings.Builder
	b.WriteString("title: T\nbase_url: https://status.example.com/\ncomponents:\n  - id: api\n    name: API\n    probe:\n")
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		b.WriteString("      " + line + "\n")
	}
	return Parse("/site", []byte(b.String()))
}

// probeOf is the validated probe of probeSite(body).
func probeOf(tb testing.TB, body string) *Probe {
	tb.Helper()
	cfg, err := probeSite(body)
	if err != nil {
		tb.Fatalf("Parse: %v\n%s", err, body)
	}
	return cfg.Component("api").Probe
}

func TestProbeDefaults(t *testing.T) {
	c := probeOf(t, "http: https://api.example.com/health")
	if c.Kind != ProbeHTTP || c.Method != "GET" || c.Interval != 60*time.Second || c.Timeout != 10*time.Second || c.Retries != 0 || c.Confirm != 1 {
		t.Errorf("got %+v, want the defaults", c)
	}
}

func TestProbeEveryKey(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(*Probe) bool
	}{
		{"http", `http: https://api.example.com/health
method: HEAD
headers: {Authorization: "Bearer ${API_TOKEN}", X-Trace: "1"}
interval: 30s
timeout: 5s
retries: 2
confirm: 3
expect: {status: [200, 204], body_contains: ok, body_regexp: "^o+k$", max_latency: 2s}`, func(c *Probe) bool {
			return c.Method == "HEAD" && len(c.Headers) == 2 && c.Headers[0] == (ProbeHeader{"Authorization", "Bearer ${API_TOKEN}"}) &&
				c.Interval == 30*time.Second && c.Timeout == 5*time.Second && c.Retries == 2 && c.Confirm == 3 &&
				len(c.Expect.Status) == 2 && c.Expect.BodyContains == "ok" && c.Expect.BodyRegexp.MatchString("ooook") && c.Expect.MaxLatency == 2*time.Second
		}},
		{"single status", "http: http://x.example/\nexpect: {status: 503}", func(c *Probe) bool { return len(c.Expect.Status) == 1 && c.Expect.Status[0] == 503 }},
		{"tcp", "tcp: db.example.com:5432", func(c *Probe) bool { return c.Kind == ProbeTCP && c.Target == "db.example.com:5432" }},
		{"dns", "dns: api.example.com\nresolver: 127.0.0.1:5353\nexpect: {address: 192.0.2.1}", func(c *Probe) bool {
			return c.Kind == ProbeDNS && c.Resolver == "127.0.0.1:5353" && c.Expect.Address == netip.MustParseAddr("192.0.2.1")
		}},
		{"tls", "tls: api.example.com:443\nexpect: {cert_days_left: 14}", func(c *Probe) bool { return c.Kind == ProbeTLS && c.Expect.CertDaysLeft == 14 }},
		{"short interval halves the default timeout", "tcp: a:1\ninterval: 4s", func(c *Probe) bool { return c.Timeout == 2*time.Second }},
		{"degraded_over", "http: https://a.example/\ndegraded_over: 2s\nexpect: {max_latency: 5s}", func(c *Probe) bool { return c.DegradedOver == 2*time.Second }},
		{"whole URL from the environment", "http: ${URL}", func(c *Probe) bool { return c.Target == "${URL}" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := probeOf(t, tt.body); !tt.check(c) {
				t.Errorf("got %+v, not what %q says", c, tt.body)
			}
		})
	}
}

// TestParseErrors pins each mistake to its place: line 7 is the probe's
// first line, and its keys start in column 7.
func TestProbeErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string // each error's prefix, in order
	}{
		{"unknown key", "http: https://a.example/\nintervall: 30s", []string{`herald.yaml:8:7: unknown key "intervall" in probe (did you mean "interval"?)`}},
		{"two kinds", "http: https://a.example/\ntcp: a.example:80", []string{`herald.yaml:8:7: probe of "api" has two kinds, http and tcp`}},
		{"no kind", "interval: 30s", []string{`herald.yaml:7:7: probe of "api" names no kind (add one of http:, tcp:, dns: or tls:)`}},
		{"no kind, another kind's key", "url: https://a.example/\nheaders: {A: b}", []string{
			`herald.yaml:7:7: probe of "api" names no kind`,
			`herald.yaml:7:7: unknown key "url" in probe`,
		}},
		{"not a mapping", "https://a.example/", []string{`herald.yaml:7:7: probe of "api" must be a mapping`}},
		{"relative URL", "http: /health", []string{`herald.yaml:7:13: http target is not an absolute http(s) URL`}},
		{"ftp URL", "http: ftp://a.example/", []string{`herald.yaml:7:13: http target is not an absolute http(s) URL`}},
		{"tcp without port", "tcp: db.example.com", []string{`herald.yaml:7:12: tcp target must be host:port`}},
		{"tls bad port", "tls: a.example:https", []string{`herald.yaml:7:12: tls target must be host:port`}},
		{"dns not a name", "dns: a b", []string{`herald.yaml:7:12: dns target is not a host name`}},
		{"bad duration", "tcp: a:1\ninterval: 30 seconds", []string{`herald.yaml:8:17: interval must be a duration such as 30s, 5m or 1h, found "30 seconds"`}},
		{"too short interval", "tcp: a:1\ninterval: 10ms", []string{`herald.yaml:8:17: interval 10ms is shorter than 1s`}},
		{"timeout equals interval", "tcp: a:1\ninterval: 30s\ntimeout: 30s", []string{`herald.yaml:9:16: timeout 30s must be shorter than interval 30s`}},
		{"timeout above default interval", "tcp: a:1\ntimeout: 2m", []string{`herald.yaml:8:16: timeout 2m must be shorter than interval 1m`}},
		{"unknown expect key", "http: https://a.example/\nexpect: {stauts: [200]}", []string{`herald.yaml:8:16: unknown key "stauts" in expect (did you mean "status"?)`}},
		{"expect key of another kind", "http: https://a.example/\nexpect: {cert_days_left: 3}", []string{`herald.yaml:8:16: key "cert_days_left" in expect does not apply to http checks (it applies to tls checks)`}},
		{"key of another kind", "tcp: a:1\nmethod: GET", []string{`herald.yaml:8:7: key "method" in probe does not apply to tcp checks (it applies to http checks)`}},
		{"bad status", "http: https://a.example/\nexpect: {status: [200, 99]}", []string{`herald.yaml:8:30: status must be between 100 and 599, found 99`}},
		{"bad regexp", "http: https://a.example/\nexpect: {body_regexp: \"(\"}", []string{`herald.yaml:8:29: body_regexp: error parsing regexp`}},
		{"bad address", "dns: a.example\nexpect: {address: nope}", []string{`herald.yaml:8:25: address "nope" is not an IP address`}},
		{"bad method", "http: https://a.example/\nmethod: get", []string{`herald.yaml:8:15: method "get" is not an HTTP method`}},
		{"bad header name", "http: https://a.example/\nheaders: {\"X Bad\": 1}", []string{`herald.yaml:8:17: "X Bad" is not an HTTP header name`}},
		{"headers not a mapping", "http: https://a.example/\nheaders: [a]", []string{`herald.yaml:8:16: headers must be a mapping`}},
		{"malformed reference", "http: https://a.example/\nheaders: {Authorization: \"Bearer ${API-TOKEN}\"}", []string{`herald.yaml:8:32: malformed ${…} reference`}},
		{"negative retries", "tcp: a:1\nretries: -1", []string{`herald.yaml:8:16: retries must be between 0 and 10, found -1`}},
		{"zero confirm", "tcp: a:1\nconfirm: 0", []string{`herald.yaml:8:16: confirm must be between 1 and 100, found 0`}},
		{"bad degraded_over", "tcp: a:1\ndegraded_over: slow", []string{`herald.yaml:8:22: degraded_over must be a duration such as 30s, 5m or 1h, found "slow"`}},
		{"degraded_over not below timeout", "tcp: a:1\ntimeout: 5s\ndegraded_over: 5s", []string{`herald.yaml:9:22: degraded_over 5s must be shorter than timeout 5s`}},
		{"degraded_over not below max_latency", "http: https://a.example/\ndegraded_over: 3s\nexpect: {max_latency: 2s}", []string{`herald.yaml:8:22: degraded_over 3s must be shorter than expect.max_latency 2s`}},
		{"every error at once", "http: /x\ntcp: a:1\nbogus: 1\ninterval: soon\nexpect: {nope: 1}", []string{
			`herald.yaml:7:13: http target`,
			`herald.yaml:8:7: probe of "api" has two kinds`,
			`herald.yaml:9:7: unknown key "bogus"`,
			`herald.yaml:10:17: interval must be a duration`,
			`herald.yaml:11:16: unknown key "nope" in expect`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := probeSite(tt.body)
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("got error %v, want a diag.List", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(list), len(tt.want), err)
			}
			for i, e := range list {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("got %q, want prefix %q", e.Error(), tt.want[i])
				}
			}
		})
	}
}

// TestParseNeverEchoesTargets: a mistake in a target is reported by place,
// since the target may hold a secret.
func TestProbeErrorsNeverEchoTargets(t *testing.T) {
	_, err := probeSite("http: https//user:hunter2@a.example/")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v, want an error that does not repeat the target", err)
	}
}

func TestCheckEnv(t *testing.T) {
	env := map[string]string{"API_TOKEN": "s3cret", "URL": "not a url", "GOOD": "https://a.example/"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name, body string
		want       []string
	}{
		{"set", "http: https://a.example/\nheaders: {Authorization: \"Bearer ${API_TOKEN}\"}", nil},
		{"unset header variable", "http: https://a.example/\nheaders: {Authorization: \"Bearer ${MISSING}\"}", []string{`herald.yaml:8:32: environment variable MISSING is not set (export it before running herald probe, or remove the reference)`}},
		{"unset URL variable", "http: https://${HOST}/", []string{`herald.yaml:7:13: environment variable HOST is not set`}},
		{"whole URL is valid once expanded", "http: ${GOOD}", nil},
		{"whole URL invalid once expanded", "http: ${URL}", []string{`herald.yaml:7:13: http target is not valid once its variables are expanded (check the variable's value; it is not shown here)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := probeSite(tt.body)
			if err != nil {
				t.Fatalf("Parse, which ignores the environment: %v", err)
			}
			err = cfg.CheckEnv(getenv)
			var list diag.List
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if !errors.As(err, &list) || len(list) != len(tt.want) {
				t.Fatalf("got %v, want %d errors", err, len(tt.want))
			}
			for i, e := range list {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("got %q, want prefix %q", e.Error(), tt.want[i])
				}
				if strings.Contains(e.Error(), "not a url") || strings.Contains(e.Error(), "s3cret") {
					t.Errorf("got %q, which shows a variable's value", e.Error())
				}
			}
		})
	}
}

func TestExpand(t *testing.T) {
	getenv := func(k string) string { return map[string]string{"A": "1", "B_2": "two"}[k] }
	for in, want := range map[string]string{
		"plain":            "plain",
		"${A}":             "1",
		"x${A}y${B_2}z":    "x1ytwoz",
		"pa$$word":         "pa$$word",
		"$A stays":         "$A stays",
		"${UNSET} is gone": " is gone",
	} {
		if got := Expand(in, getenv); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}
