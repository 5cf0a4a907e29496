package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

// newCheck is a check as config.Parse would declare it, with a short timeout.
func newCheck(kind Kind, target string) *Check {
	c := &Check{Component: "api", Probe: config.Probe{Kind: kind, Target: target, Interval: time.Minute, Timeout: 5 * time.Second, Confirm: 1}}
	if kind == HTTP {
		c.Method = "GET"
	}
	return c
}

func testProber(tb testing.TB, opts ...func(*Options)) *prober {
	tb.Helper()
	o := Options{Now: time.Now, Getenv: func(string) string { return "" }, Region: "test", Concurrency: 8}
	for _, f := range opts {
		f(&o)
	}
	p := newProber(o.Now, o.Getenv, o.RootCAs, o.Region, o.Concurrency)
	tb.Cleanup(p.close)
	return p
}

// secretFree fails if the result's error repeats any of the secrets: a
// target, a header value, an address.
func secretFree(tb testing.TB, r history.Result, secrets ...string) {
	tb.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(r.Error, s) {
			tb.Errorf("got error %q, which contains %q", r.Error, s)
		}
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("all systems go"))
		case "/slow":
			time.Sleep(300 * time.Millisecond)
			w.Write([]byte("eventually"))
		case "/fail":
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			// /hops/N redirects N times before it answers.
			if n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hops/")); err == nil {
				if n == 0 {
					w.Write([]byte("arrived"))
					return
				}
				http.Redirect(w, r, "/hops/"+strconv.Itoa(n-1), http.StatusFound)
				return
			}
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name    string
		path    string
		expect  Expect
		timeout time.Duration
		ok      bool
		status  int
		err     string
	}{
		{"ok", "/ok", Expect{Status: []int{200}}, 0, true, 200, ""},
		{"any 2xx by default", "/ok", Expect{}, 0, true, 200, ""},
		{"redirect followed", "/redirect", Expect{}, 0, true, 200, ""},
		{"redirect loop", "/loop", Expect{}, 0, false, 0, "too many redirects"},
		{"ten redirects", "/hops/10", Expect{}, 0, true, 200, ""},
		{"eleven redirects", "/hops/11", Expect{}, 0, false, 0, "too many redirects"},
		{"failing status", "/fail", Expect{Status: []int{200}}, 0, false, 503, "status 503, want 200"},
		{"failing status, default", "/fail", Expect{}, 0, false, 503, "status 503, want 2xx"},
		{"expected failure", "/fail", Expect{Status: []int{200, 503}}, 0, true, 503, ""},
		{"status list", "/missing", Expect{Status: []int{200, 204}}, 0, false, 404, "status 404, want 200 or 204"},
		{"slow", "/slow", Expect{MaxLatency: 100 * time.Millisecond}, 0, false, 200, "latency "},
		{"slow but within", "/slow", Expect{MaxLatency: 20 * time.Second}, 0, true, 200, ""},
		{"timeout", "/slow", Expect{}, 50 * time.Millisecond, false, 0, "timeout after 50ms"},
		{"body contains", "/ok", Expect{BodyContains: "systems go"}, 0, true, 200, ""},
		{"wrong body", "/ok", Expect{BodyContains: "all systems down"}, 0, false, 200, "body does not contain the expected text"},
		{"body matches", "/ok", Expect{BodyRegexp: regexp.MustCompile(`^all \w+ go$`)}, 0, true, 200, ""},
		{"body does not match", "/ok", Expect{BodyRegexp: regexp.MustCompile(`^down`)}, 0, false, 200, "body does not match body_regexp"},
	}
	p := testProber(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCheck(HTTP, srv.URL+tt.path)
			c.Expect = tt.expect
			if tt.timeout > 0 {
				c.Timeout = tt.timeout
			}
			r := p.run(context.Background(), c)
			if r.OK != tt.ok || r.Status != tt.status || !strings.HasPrefix(r.Error, tt.err) || (tt.err == "" && r.Error != "") {
				t.Errorf("got ok=%v status=%d error=%q, want ok=%v status=%d error %q", r.OK, r.Status, r.Error, tt.ok, tt.status, tt.err)
			}
			if r.Component != "api" || r.Region != "test" || r.Time.IsZero() || r.LatencyMS <= 0 {
				t.Errorf("got %+v, want it stamped with component, region, time and latency", r)
			}
			secretFree(t, r, host, tt.path)
		})
	}
}

func TestHTTPClosedPort(t *testing.T) {
	addr := closedPort(t)
	r := testProber(t).run(context.Background(), newCheck(HTTP, "http://"+addr+"/health"))
	if r.OK || r.Error != "connection refused" {
		t.Errorf("got ok=%v error=%q, want a failure, %q", r.OK, r.Error, "connection refused")
	}
	secretFree(t, r, addr, "/health")
}

// TestHTTPKeepsURLSecrets: a target's password and query, and where a
// redirect leads, stay out of the result, as net/http's own errors would
// not keep them.
func TestHTTPKeepsURLSecrets(t *testing.T) {
	closed := closedPort(t)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+closed+"/next/REDIRECTTOKEN?sig=SIG", http.StatusFound)
	}))
	defer redirect.Close()
	tests := []struct{ name, target, err string }{
		{"password and query", "http://user:PASSW0RD@" + closed + "/health?token=QTOKEN", "connection refused"},
		{"redirected", redirect.URL + "/health", "connection refused"},
		{"unparsable", "http://user:PASSW0RD@" + closed + "/%zz?token=QTOKEN", "invalid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testProber(t).run(context.Background(), newCheck(HTTP, tt.target))
			if r.OK || r.Error != tt.err {
				t.Errorf("got ok=%v error=%q, want a failure, %q", r.OK, r.Error, tt.err)
			}
			secretFree(t, r, "user", "PASSW0RD", "QTOKEN", "REDIRECTTOKEN", "SIG", closed)
		})
	}
}

// TestHTTPHeadersFromEnvironment: ${VAR} in headers and URL reach the server
// expanded, and neither the value nor the URL appears in the result.
func TestHTTPHeadersFromEnvironment(t *testing.T) {
	var gotAuth, gotPath atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
		gotPath.Store(r.URL.Path)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	env := map[string]string{"API_TOKEN": "s3cret-token", "TENANT": "acme-corp"}
	p := testProber(t, func(o *Options) { o.Getenv = func(k string) string { return env[k] } })
	c := newCheck(HTTP, srv.URL+"/t/${TENANT}/health")
	c.Headers = []Header{{Name: "Authorization", Value: "Bearer ${API_TOKEN}"}}
	c.Expect.Status = []int{200}
	r := p.run(context.Background(), c)
	if got := gotAuth.Load(); got != "Bearer s3cret-token" {
		t.Errorf("server got Authorization %q, want %q", got, "Bearer s3cret-token")
	}
	if got := gotPath.Load(); got != "/t/acme-corp/health" {
		t.Errorf("server got path %q, want /t/acme-corp/health", got)
	}
	if r.OK || r.Error != "status 401, want 200" {
		t.Errorf("got ok=%v error=%q, want status 401, want 200", r.OK, r.Error)
	}
	secretFree(t, r, "s3cret", "acme", strings.TrimPrefix(srv.URL, "http://"))
}

func TestRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%3 != 0 { // fails twice, then passes
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	p := testProber(t)
	c := newCheck(HTTP, srv.URL)
	if r := p.run(context.Background(), c); r.OK {
		t.Fatalf("got ok without retries, want the first failure")
	}
	hits.Store(0)
	c.Retries = 2
	if r := p.run(context.Background(), c); !r.OK || hits.Load() != 3 {
		t.Errorf("got ok=%v after %d requests, want ok after 3", r.OK, hits.Load())
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	closed := closedPort(t)
	p := testProber(t)
	if r := p.run(context.Background(), newCheck(TCP, ln.Addr().String())); !r.OK || r.Error != "" {
		t.Errorf("open port: got ok=%v error=%q, want ok", r.OK, r.Error)
	}
	r := p.run(context.Background(), newCheck(TCP, closed))
	if r.OK || r.Error != "connection refused" {
		t.Errorf("closed port: got ok=%v error=%q, want connection refused", r.OK, r.Error)
	}
	secretFree(t, r, closed)
}

// certs returns a CA and a server certificate for 127.0.0.1 that it signed,
// expiring in days days (and an hour, so the count is not on an edge).
func certs(tb testing.TB, days int) (*x509.CertPool, tls.Certificate) {
	tb.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "herald test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Duration(days)*24*time.Hour + time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

func TestTLSExpiry(t *testing.T) {
	pool, cert := certs(t, 3)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake error is expected
	srv.StartTLS()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	trusting := testProber(t, func(o *Options) { o.RootCAs = pool })
	tests := []struct {
		name string
		p    *prober
		days int
		ok   bool
		err  string
	}{
		{"expires too soon", trusting, 14, false, "certificate expires in 3 days, want at least 14"},
		{"expires late enough", trusting, 1, true, ""},
		{"no expectation", trusting, 0, true, ""},
		{"untrusted", testProber(t), 1, false, "certificate signed by an unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCheck(TLS, addr)
			c.Expect.CertDaysLeft = tt.days
			r := tt.p.run(context.Background(), c)
			if r.OK != tt.ok || r.Error != tt.err {
				t.Errorf("got ok=%v error=%q, want ok=%v error=%q", r.OK, r.Error, tt.ok, tt.err)
			}
			secretFree(t, r, addr)
		})
	}

	t.Run("https check trusts the same roots", func(t *testing.T) {
		r := trusting.run(context.Background(), newCheck(HTTP, srv.URL))
		if !r.OK {
			t.Errorf("got %q, want ok", r.Error)
		}
	})
	t.Run("not a TLS server", func(t *testing.T) {
		plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer plain.Close()
		r := trusting.run(context.Background(), newCheck(TLS, plain.Listener.Addr().String()))
		if r.OK || r.Error != "not a TLS server" {
			t.Errorf("got ok=%v error=%q, want not a TLS server", r.OK, r.Error)
		}
	})
}

// dnsServer serves A records for names on 127.0.0.1 and NXDOMAIN for any
// other name, and returns its address.
func dnsServer(tb testing.TB, records map[string]string) string {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		addr, ok := records[strings.TrimSuffix(q.Name, ".")]
		switch {
		case !ok:
			m.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A:   net.ParseIP(addr).To4(),
			})
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	tb.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestDNS(t *testing.T) {
	resolver := dnsServer(t, map[string]string{"api.example.test": "192.0.2.10"})
	tests := []struct {
		name, target string
		address      string
		ok           bool
		err          string
	}{
		{"resolves", "api.example.test", "", true, ""},
		{"expected address", "api.example.test", "192.0.2.10", true, ""},
		{"other address", "api.example.test", "192.0.2.99", false, "expected address not among the 1 answer"},
		{"nxdomain", "gone.example.test", "", false, "name not found"},
	}
	p := testProber(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCheck(DNS, tt.target)
			c.Resolver = resolver
			if tt.address != "" {
				c.Expect.Address = netip.MustParseAddr(tt.address)
			}
			r := p.run(context.Background(), c)
			if r.OK != tt.ok || r.Error != tt.err {
				t.Errorf("got ok=%v error=%q, want ok=%v error=%q", r.OK, r.Error, tt.ok, tt.err)
			}
			secretFree(t, r, tt.target, "192.0.2.10", resolver)
		})
	}
}
