package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

// Limits on what an http check reads of a response body.
const (
	maxBody   = 1 << 20  // read for body_contains and body_regexp
	maxDrain  = 64 << 10 // read and discarded otherwise, so the connection can be reused
	userAgent = "herald-probe"
)

// prober runs single checks. Its http.Client and Transport are shared by
// every http check, so connections are reused across runs.
type prober struct {
	client    *http.Client
	transport *http.Transport
	now       func() time.Time
	getenv    func(string) string
	rootCAs   *x509.CertPool
	region    string
}

func newProber(now func() time.Time, getenv func(string) string, rootCAs *x509.CertPool, region string, concurrency int) *prober {
	p := &prober{now: now, getenv: getenv, rootCAs: rootCAs, region: region}
	p.transport = &http.Transport{
		// No proxy from the environment: a probe should see the service
		// the way its users reach it directly.
		Proxy:       nil,
		DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig: &tls.Config{
			RootCAs:    rootCAs,
			Time:       now,
			MinVersion: tls.VersionTLS12,
		},
		ForceAttemptHTTP2: true,
		// Enough idle connections per host for every worker to hit the same
		// host at once, but a bounded total: thousands of distinct hosts
		// probed every minute should not each keep a socket open.
		MaxIdleConnsPerHost: min(concurrency, 64),
		MaxIdleConns:        256,
		IdleConnTimeout:     90 * time.Second,
	}
	p.client = &http.Client{Transport: p.transport, CheckRedirect: checkRedirect}
	return p
}

// maxRedirects is how many redirects an http check follows
// (docs/probes.md).
const maxRedirects = 10

// errTooManyRedirects ends a redirect loop. net/http's own error for it
// has no value to test for, so its check would read "check failed".
var errTooManyRedirects = errors.New("too many redirects")

// checkRedirect is called before each redirect is followed; via holds the
// requests sent so far, the first of them not a redirect.
func checkRedirect(_ *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return errTooManyRedirects
	}
	return nil
}

// close drops idle connections.
func (p *prober) close() { p.transport.CloseIdleConnections() }

// run runs c once, retrying a failure up to c.Retries times at once, and
// returns the last attempt's result stamped with the run's start.
func (p *prober) run(ctx context.Context, c *Check) history.Result {
	start := p.now()
	var r history.Result
	for attempt := 0; attempt <= c.Retries; attempt++ {
		r = p.attempt(ctx, c)
		if r.OK || ctx.Err() != nil {
			break
		}
	}
	r.Component, r.Time, r.Region = c.Component, start, p.region
	return r
}

// attempt runs c once under its timeout. The Error it sets is one of a few
// fixed phrases: never a target, header or DNS answer.
func (p *prober) attempt(ctx context.Context, c *Check) history.Result {
	actx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	t0 := p.now()
	var status int
	var fail string
	switch c.Kind {
	case HTTP:
		status, fail = p.http(actx, c)
	case TCP:
		fail = p.tcp(actx, c)
	case DNS:
		fail = p.dns(actx, c)
	case TLS:
		fail = p.tls(actx, c)
	default:
		fail = "unknown check kind"
	}
	lat := p.now().Sub(t0)
	if fail == "" && c.Expect.MaxLatency > 0 && lat > c.Expect.MaxLatency {
		fail = fmt.Sprintf("latency %s, want at most %s", lat.Round(time.Millisecond), config.FormatDuration(c.Expect.MaxLatency))
	}
	return history.Result{
		OK:        fail == "",
		LatencyMS: math.Round(float64(lat)/float64(time.Microsecond)) / 1000,
		Status:    status,
		Error:     fail,
	}
}

func (p *prober) http(ctx context.Context, c *Check) (int, string) {
	req, err := http.NewRequestWithContext(ctx, c.Method, expand(c.Target, p.getenv), nil)
	if err != nil {
		return 0, "invalid URL"
	}
	req.Header.Set("User-Agent", userAgent)
	for _, h := range c.Headers {
		v := expand(h.Value, p.getenv)
		if strings.EqualFold(h.Name, "Host") {
			req.Host = v
			continue
		}
		req.Header.Add(h.Name, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, describe(ctx, err, c.Timeout)
	}
	defer resp.Body.Close()
	var body []byte
	if c.Expect.BodyContains != "" || c.Expect.BodyRegexp != nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	} else {
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	}
	if err != nil {
		return resp.StatusCode, "reading body: " + describe(ctx, err, c.Timeout)
	}
	if want := c.Expect.Status; len(want) > 0 && !slices.Contains(want, resp.StatusCode) {
		return resp.StatusCode, fmt.Sprintf("status %d, want %s", resp.StatusCode, orList(want))
	}
	if len(c.Expect.Status) == 0 && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		return resp.StatusCode, fmt.Sprintf("status %d, want 2xx", resp.StatusCode)
	}
	if s := c.Expect.BodyContains; s != "" && !bytes.Contains(body, []byte(s)) {
		return resp.StatusCode, "body does not contain the expected text"
	}
	if re := c.Expect.BodyRegexp; re != nil && !re.Match(body) {
		return resp.StatusCode, "body does not match body_regexp"
	}
	return resp.StatusCode, ""
}

func orList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func (p *prober) tcp(ctx context.Context, c *Check) string {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", expand(c.Target, p.getenv))
	if err != nil {
		return describe(ctx, err, c.Timeout)
	}
	conn.Close()
	return ""
}

func (p *prober) tls(ctx context.Context, c *Check) string {
	addr := expand(c.Target, p.getenv)
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "invalid host:port"
	}
	d := tls.Dialer{Config: &tls.Config{
		ServerName: host,
		RootCAs:    p.rootCAs,
		Time:       p.now,
		MinVersion: tls.VersionTLS12,
	}}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return describe(ctx, err, c.Timeout)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "no certificate"
	}
	// The chain is only as good as its first certificate to expire,
	// intermediates included.
	expiry := certs[0].NotAfter
	for _, cert := range certs[1:] {
		if cert.NotAfter.Before(expiry) {
			expiry = cert.NotAfter
		}
	}
	days := int(expiry.Sub(p.now()) / (24 * time.Hour))
	if want := c.Expect.CertDaysLeft; want > 0 && days < want {
		return fmt.Sprintf("certificate expires in %s, want at least %d", plural(days, "day"), want)
	}
	return ""
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

func (p *prober) dns(ctx context.Context, c *Check) string {
	r := net.DefaultResolver
	if c.Resolver != "" {
		server := expand(c.Resolver, p.getenv)
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}}
	}
	addrs, err := r.LookupNetIP(ctx, "ip", expand(c.Target, p.getenv))
	if err != nil {
		return describe(ctx, err, c.Timeout)
	}
	if len(addrs) == 0 {
		return "no addresses"
	}
	if want := c.Expect.Address; want.IsValid() {
		for _, a := range addrs {
			if a.Unmap() == want.Unmap() {
				return ""
			}
		}
		// The answers are the target's addresses: count them, do not list them.
		return fmt.Sprintf("expected address not among the %s", plural(len(addrs), "answer"))
	}
	return ""
}

// describe turns an error from dialing, resolving or a request into a fixed
// phrase. Errors from net and net/http quote the address or URL they were
// given, so their text is never used.
func describe(ctx context.Context, err error, timeout time.Duration) string {
	var (
		dnsErr   *net.DNSError
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		netErr   net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timeout after " + config.FormatDuration(timeout)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, errTooManyRedirects):
		return "too many redirects"
	case errors.As(err, &dnsErr):
		switch {
		case dnsErr.IsNotFound:
			return "name not found"
		case dnsErr.IsTimeout:
			return "name lookup timed out"
		}
		return "name lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.As(err, &hostErr):
		return "certificate is not valid for this host"
	case errors.As(err, &authErr):
		return "certificate signed by an unknown authority"
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return "certificate has expired or is not yet valid"
		}
		return "certificate is not valid"
	case errors.As(err, &recErr):
		return "not a TLS server"
	case errors.As(err, &alertErr):
		return "TLS handshake failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout after " + config.FormatDuration(timeout)
	}
	return "check failed"
}
