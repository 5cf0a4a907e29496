package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/notify"
)

// The credentials the test servers accept; distinctive, so that a test
// can look for them in every error and log line.
const (
	smtpUser     = "herald-user-7f3a"
	smtpPassword = "pa55-s3cret-9q"
)

// smtpServer is a real SMTP server (emersion/go-smtp) on a loopback port,
// recording what it is sent.
type smtpServer struct {
	addr string

	mu       sync.Mutex
	accepted [][]byte // messages taken, in order
	attempts [][]byte // every DATA, taken or not
	logins   int      // AUTH attempts
	tls      []bool   // whether each message came over TLS
	failData int      // answer 451 to this many DATA commands first
	greeting error    // when set, refuse every session with it
}

// smtpOptions choose how a test server behaves.
type smtpOptions struct {
	startTLS bool   // offer STARTTLS (with a test certificate) and AUTH only after it
	implicit bool   // speak TLS from the first byte, with the same certificate
	password string // the password AUTH PLAIN accepts; empty: no AUTH
	failData int
	greeting error
}

// startSMTP starts a server and returns it with the roots that trust its
// certificate. The certificate is httptest's, valid for 127.0.0.1.
func startSMTP(tb testing.TB, o smtpOptions) (*smtpServer, *tls.Config) {
	tb.Helper()
	hs := httptest.NewUnstartedServer(nil)
	hs.StartTLS()
	cert := hs.TLS.Certificates[0]
	roots := x509.NewCertPool()
	roots.AddCert(hs.Certificate())
	hs.Close()

	s := &smtpServer{failData: o.failData, greeting: o.greeting}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		if s.greeting != nil {
			return nil, s.greeting
		}
		return &smtpSession{s: s, c: c, password: o.password}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if o.startTLS || o.implicit {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	} else {
		srv.AllowInsecureAuth = true
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.addr = ln.Addr().String()
	if o.implicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return s, &tls.Config{RootCAs: roots}
}

func (s *smtpServer) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.accepted...)
}

type smtpSession struct {
	s        *smtpServer
	c        *smtp.Conn
	password string
	authed   bool
}

func (ss *smtpSession) AuthMechanisms() []string {
	if ss.password == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		ss.s.mu.Lock()
		ss.s.logins++
		ss.s.mu.Unlock()
		if user != smtpUser || pass != ss.password {
			// Some servers echo the user name they refused.
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "no user " + user + " with that password"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *smtpSession) Mail(string, *smtp.MailOptions) error {
	if ss.password != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.attempts = append(ss.s.attempts, data)
	if ss.s.failData > 0 {
		ss.s.failData--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.s.accepted = append(ss.s.accepted, data)
	ss.s.tls = append(ss.s.tls, isTLS)
	return nil
}

func (ss *smtpSession) Reset()        {}
func (ss *smtpSession) Logout() error { return nil }

// mailSite makes a site with one incident (two updates) and one
// maintenance, whose notify section is notifyYAML.
func mailSite(tb testing.TB, notifyYAML string) string {
	tb.Helper()
	return sitetest.Write(tb, map[string]string{
		"herald.yaml": "title: Acme <Status>\nbase_url: https://status.example.com/\ncomponents:\n  - {id: api, name: API}\n  - {id: web, name: Website}\nnotify:\n" + notifyYAML,
		"incidents/a.md": `---
title: 'Errors on <api> & "web"'
components: {api: major_outage}
started: 2026-11-28T10:00:00Z
---
## 2026-11-28T11:00:00Z — Identified
We found it: **the cache** <script>alert(1)</script>.

## 2026-11-28T10:05:00Z — Investigating
Looking.
`,
		"incidents/m.md": `---
title: Web maintenance
type: maintenance
components: [web]
scheduled_start: 2026-11-28T12:00:00Z
scheduled_end: 2026-11-28T13:00:00Z
---
## 2026-11-27T09:00:00Z — Scheduled
We will restart the web servers.
`,
	})
}

// emailYAML is a notify.email entry for the server at addr.
func emailYAML(addr, extra string) string {
	return "  email:\n    - smtp: " + addr + "\n      from: \"Acme Status <status@example.com>\"\n      to: [updates@lists.example.com]\n" + extra
}

// notifyAt observes the site at now and delivers, as one herald notify.
func notifyAt(tb testing.TB, dir string, now time.Time, opts ...notify.Option) (notify.Result, int, error) {
	tb.Helper()
	cfg, ins := sitetest.Load(tb, dir)
	n, err := notify.New(cfg, append([]notify.Option{notify.WithRetry(1, time.Millisecond, time.Millisecond)}, opts...)...)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := n.Observe(ctx, status.New(cfg, ins, now))
	if err != nil {
		tb.Fatal(err)
	}
	err = n.Deliver(ctx)
	return res, n.Pending(), err
}

// parsedMail is a received message: its headers and its text and HTML
// alternatives, decoded.
type parsedMail struct {
	header     mail.Header
	text, html string
}

func parseMail(tb testing.TB, data []byte) parsedMail {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("read message: %v\n%s", err, data)
	}
	media, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || media != "multipart/alternative" {
		tb.Fatalf("got Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	p := parsedMail{header: m.Header}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types []string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(part) // quoted-printable is decoded by the reader
		if err != nil {
			tb.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		types = append(types, ct)
		switch ct {
		case "text/plain":
			p.text = string(body)
		case "text/html":
			p.html = string(body)
		}
	}
	// RFC 2046: the alternatives go from the plainest to the richest.
	if strings.Join(types, " ") != "text/plain text/html" {
		tb.Errorf("got parts %q, want text/plain then text/html", types)
	}
	return p
}

func (p parsedMail) get(tb testing.TB, key string) string {
	tb.Helper()
	var dec mime.WordDecoder
	v, err := dec.DecodeHeader(p.header.Get(key))
	if err != nil {
		tb.Fatalf("decode %s: %v", key, err)
	}
	return v
}

// TestEmail sends an incident's first two messages and a maintenance's
// through a real SMTP server over STARTTLS with AUTH PLAIN, the
// credentials coming from the environment, and reads them as a mail
// reader would.
func TestEmail(t *testing.T) {
	t.Setenv("SMTP_USER", smtpUser)
	t.Setenv("SMTP_PASSWORD", smtpPassword)
	srv, tc := startSMTP(t, smtpOptions{startTLS: true, password: smtpPassword})
	dir := mailSite(t, emailYAML(srv.addr, "      username: ${SMTP_USER}\n      password: ${SMTP_PASSWORD}\n      list_unsubscribe: https://lists.example.com/leave/updates\n")+
		// A second list, for the website's incidents, hears of none.
		"    - smtp: "+srv.addr+"\n      from: status@example.com\n      to: [oncall@lists.example.com]\n      username: ${SMTP_USER}\n      password: ${SMTP_PASSWORD}\n      components: [web]\n      events: [incident.created, incident.updated]\n")
	maint, err := os.ReadFile(filepath.Join(dir, "incidents/m.md"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "incidents/m.md"))
	if _, _, err := notifyAt(t, dir, before, notify.WithTLSConfig(tc)); err != nil {
		t.Fatal(err)
	}
	// The maintenance is announced after the baseline, so that its first
	// message is sent too.
	if err := os.WriteFile(filepath.Join(dir, "incidents/m.md"), maint, 0o644); err != nil {
		t.Fatal(err)
	}
	created, _, err := notifyAt(t, dir, time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC), notify.WithTLSConfig(tc))
	if err != nil {
		t.Fatal(err)
	}
	later, pending, err := notifyAt(t, dir, after, notify.WithTLSConfig(tc))
	if err != nil || pending != 0 {
		t.Fatalf("got %v, %d pending, want every message sent", err, pending)
	}
	events := append(created.Events, later.Events...)
	msgs := srv.messages()
	if len(msgs) != len(events) || len(events) != 5 {
		t.Fatalf("got %d messages for %d events, want 5 for 5 (two incident and three maintenance events)", len(msgs), len(events))
	}
	for i, tls := range srv.tls {
		if !tls {
			t.Errorf("message %d: got it in clear text, want it over STARTTLS", i)
		}
	}
	byID := map[string]parsedMail{}
	for _, data := range msgs {
		m := parseMail(t, data)
		byID[m.get(t, "Message-ID")] = m
	}
	msgID := func(ev notify.Event) string { return "<" + ev.ID + "@status.example.com>" }
	first := map[string]notify.Event{} // by slug
	for _, ev := range created.Events {
		first[ev.Incident.Slug] = ev
	}
	for _, ev := range events {
		if _, ok := byID[msgID(ev)]; !ok {
			t.Fatalf("got no message with Message-ID %s, for %s", msgID(ev), ev.Type)
		}
	}

	m := byID[msgID(first["a"])]
	for _, tt := range []struct{ key, want string }{
		{"From", `"Acme Status" <status@example.com>`},
		{"To", "<updates@lists.example.com>"},
		{"Subject", `New incident (critical impact): Errors on <api> & "web"`},
		{"Date", "Sat, 28 Nov 2026 10:00:00 +0000"},
		{"In-Reply-To", ""},
		{"References", ""},
		{"List-Unsubscribe", "<https://lists.example.com/leave/updates>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"Precedence", "bulk"},
	} {
		t.Run("created "+tt.key, func(t *testing.T) {
			if got := m.get(t, tt.key); got != tt.want {
				t.Errorf("got %s: %q, want %q", tt.key, got, tt.want)
			}
		})
	}
	t.Run("text part", func(t *testing.T) {
		for _, want := range []string{`New incident (critical impact): Errors on <api> & "web"`, "Looking.", "Status: Investigating · Impact: critical · Components: API", "https://status.example.com/incidents/a/"} {
			if !strings.Contains(m.text, want) {
				t.Errorf("got text part:\n%s\nwant it to hold %q", m.text, want)
			}
		}
	})
	t.Run("html part", func(t *testing.T) {
		for _, want := range []string{"Errors on &lt;api&gt; &amp; &#34;web&#34;", `<a href="https://status.example.com/incidents/a/">`, "Acme &lt;Status&gt;", `name="viewport"`} {
			if !strings.Contains(m.html, want) {
				t.Errorf("got HTML part:\n%s\nwant it to hold %q", m.html, want)
			}
		}
		if strings.Contains(m.html, "<api>") {
			t.Errorf("got HTML part:\n%s\nwant the title escaped", m.html)
		}
	})
	for _, ev := range later.Events {
		t.Run("thread "+string(ev.Type), func(t *testing.T) {
			m := byID[msgID(ev)]
			if got, want := m.get(t, "Subject"), notify.Headline(i18n.For("en"), ev); got != want {
				t.Errorf("got Subject %q, want %q", got, want)
			}
			want := msgID(first[ev.Incident.Slug])
			for _, key := range []string{"In-Reply-To", "References"} {
				if got := m.get(t, key); got != want {
					t.Errorf("got %s %q, want %q (the first message of its incident)", key, got, want)
				}
			}
			if ev.Type == notify.IncidentUpdated && (strings.Contains(m.html, "<script>") || !strings.Contains(m.html, "&lt;script&gt;")) {
				t.Errorf("got HTML part:\n%s\nwant the update's <script> escaped", m.html)
			}
		})
	}
}

// TestEmailClearText sends with credentials and no TLS: to a loopback
// server it goes, to another host herald refuses before dialling, at send
// time when herald.yaml could not show the host.
func TestEmailClearText(t *testing.T) {
	srv, _ := startSMTP(t, smtpOptions{password: smtpPassword})
	for _, tt := range []struct {
		name, server string
		wantErr      string
		wantSent     int
	}{
		{"loopback", srv.addr, "", 1},
		{"remote name", "smtp.example.com:25", "refuse to send the smtp password in clear text to smtp.example.com", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sent := len(srv.messages())
			t.Setenv("SMTP_SERVER", tt.server)
			dir := mailSite(t, emailYAML("${SMTP_SERVER}", "      tls: none\n      username: "+smtpUser+"\n      password: "+smtpPassword+"\n      events: [incident.created]\n"))
			notifyAt(t, dir, before)
			_, pending, err := notifyAt(t, dir, time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want it sent", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want %q", err, tt.wantErr)
			case tt.wantErr != "" && pending != 1:
				t.Errorf("got %d pending, want the refused event kept", pending)
			case err != nil && strings.Contains(err.Error(), "webhook"):
				t.Errorf("got %v, an email's delivery called a webhook's", err)
			}
			if got := len(srv.messages()) - sent; got != tt.wantSent {
				t.Errorf("got %d messages, want %d", got, tt.wantSent)
			}
		})
	}
}

// TestEmailSecretsNotPrinted fails deliveries in the ways that involve the
// credentials, and looks for them in every error, every log line of a
// daemon's round, and the state file. A wrong password is not tried again within the round:
// servers lock accounts that keep failing.
func TestEmailSecretsNotPrinted(t *testing.T) {
	for _, tt := range []struct {
		name      string
		o         smtpOptions
		password  string
		wantErr   string
		maxLogins int
	}{
		{"wrong password", smtpOptions{startTLS: true, password: "another-one"}, smtpPassword, "535", 1},
		{"server refuses the session", smtpOptions{startTLS: true, greeting: &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "not now, " + smtpUser}}, smtpPassword, "421", 0},
		{"server down", smtpOptions{}, smtpPassword, "connect", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, tc := startSMTP(t, tt.o)
			addr := srv.addr
			if tt.name == "server down" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr = ln.Addr().String()
				ln.Close() // nothing listens there now
			}
			t.Setenv("SMTP_PASSWORD", tt.password)
			dir := mailSite(t, emailYAML(addr, "      username: "+smtpUser+"\n      password: ${SMTP_PASSWORD}\n"))
			notifyAt(t, dir, before, notify.WithTLSConfig(tc))

			cfg, ins := sitetest.Load(t, dir)
			var mu sync.Mutex
			var lines []string
			logged := make(chan struct{}, 1)
			n, err := notify.New(cfg, notify.WithTLSConfig(tc), notify.WithRetry(3, time.Millisecond, time.Millisecond), notify.WithLog(func(format string, args ...any) {
				mu.Lock()
				lines = append(lines, fmt.Sprintf(format, args...))
				mu.Unlock()
				select {
				case logged <- struct{}{}:
				default:
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if _, err := n.Observe(ctx, status.New(cfg, ins, after)); err != nil {
				t.Fatal(err)
			}
			err = n.Deliver(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want a failure with %q", err, tt.wantErr)
			}
			// A daemon logs the same failure: run one round of it.
			rctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				n.Run(rctx)
			}()
			select {
			case <-logged:
			case <-ctx.Done():
				t.Fatal("got no log line from Run")
			}
			stop()
			<-done
			state, rerr := os.ReadFile(filepath.Join(dir, "data", "notify.json"))
			if rerr != nil {
				t.Fatal(rerr)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range append(lines, err.Error(), string(state)) {
				if strings.Contains(s, smtpUser) || strings.Contains(s, tt.password) {
					t.Errorf("got %q, want neither the username nor the password", s)
				}
			}
			if n.Pending() == 0 {
				t.Error("got nothing pending, want the events kept")
			}
			srv.mu.Lock()
			logins := srv.logins
			srv.mu.Unlock()
			if logins > 2*tt.maxLogins { // Deliver, then Run's round
				t.Errorf("got %d logins in two rounds, want %d a round", logins, tt.maxLogins)
			}
		})
	}
}

// TestEmailResend fails a send, then sends again from a new process, as
// after a kill or a failed round: the event stays pending, and the message
// that goes out has the Message-ID of the one that failed, so that a list
// or a reader that dedupes by it shows it once.
func TestEmailResend(t *testing.T) {
	srv, tc := startSMTP(t, smtpOptions{startTLS: true, failData: 1})
	dir := mailSite(t, emailYAML(srv.addr, "      events: [incident.created]\n"))
	notifyAt(t, dir, before, notify.WithTLSConfig(tc))
	now := time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)
	if _, pending, err := notifyAt(t, dir, now, notify.WithTLSConfig(tc)); err == nil || !strings.Contains(err.Error(), "451") || pending != 1 {
		t.Fatalf("got %v with %d pending, want a 451 with the event pending", err, pending)
	}
	if _, pending, err := notifyAt(t, dir, now, notify.WithTLSConfig(tc)); err != nil || pending != 0 {
		t.Fatalf("got %v with %d pending, want it sent", err, pending)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.attempts) != 2 || len(srv.accepted) != 1 {
		t.Fatalf("got %d attempts and %d accepted, want 2 and 1", len(srv.attempts), len(srv.accepted))
	}
	failed, sent := parseMail(t, srv.attempts[0]), parseMail(t, srv.accepted[0])
	if got, want := sent.get(t, "Message-ID"), failed.get(t, "Message-ID"); got != want || got == "" {
		t.Errorf("got Message-ID %q on the re-send, want %q as on the first try", got, want)
	}
}

// TestEmailTLSModes sends over each TLS mode to a server that speaks it,
// and over the wrong one to a server that does not: STARTTLS is never
// skipped when the server does not offer it.
func TestEmailTLSModes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		o       smtpOptions
		tls     string
		wantErr string
	}{
		{"starttls", smtpOptions{startTLS: true, password: smtpPassword}, "starttls", ""},
		{"implicit", smtpOptions{implicit: true, password: smtpPassword}, "implicit", ""},
		{"starttls not offered", smtpOptions{password: smtpPassword}, "starttls", "does not support STARTTLS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, tc := startSMTP(t, tt.o)
			dir := mailSite(t, emailYAML(srv.addr, "      tls: "+tt.tls+"\n      username: "+smtpUser+"\n      password: "+smtpPassword+"\n      events: [incident.created]\n"))
			notifyAt(t, dir, before, notify.WithTLSConfig(tc))
			_, _, err := notifyAt(t, dir, after, notify.WithTLSConfig(tc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				if got := len(srv.messages()); got != 0 {
					t.Errorf("got %d messages, want none", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if len(srv.accepted) != 1 || !srv.tls[0] {
				t.Errorf("got %d messages (over TLS: %v), want 1 over TLS", len(srv.accepted), srv.tls)
			}
		})
	}
}

// TestEmailFixedPasswordKeepsQueue fails a send for a wrong password, then
// corrects the password and the sender's name in herald.yaml: the channel
// is the same (the same server and list), so the event still pending is
// sent.
func TestEmailFixedPasswordKeepsQueue(t *testing.T) {
	srv, tc := startSMTP(t, smtpOptions{startTLS: true, password: smtpPassword})
	entry := func(from, password string) string {
		return "  email:\n    - smtp: " + srv.addr + "\n      from: \"" + from + "\"\n      to: [updates@lists.example.com]\n      username: " + smtpUser + "\n      password: " + password + "\n      events: [incident.created]\n"
	}
	dir := mailSite(t, entry("Status <status@example.com>", "wrong-one"))
	notifyAt(t, dir, before, notify.WithTLSConfig(tc))
	if _, pending, err := notifyAt(t, dir, after, notify.WithTLSConfig(tc)); err == nil || pending != 1 {
		t.Fatalf("got %v with %d pending, want a failed login with the event pending", err, pending)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "herald.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fixed := strings.Replace(string(cfg), entry("Status <status@example.com>", "wrong-one"), entry("Acme Status <status@example.com>", smtpPassword), 1)
	if err := os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, pending, err := notifyAt(t, dir, after, notify.WithTLSConfig(tc)); err != nil || pending != 0 {
		t.Fatalf("got %v with %d pending, want the pending event sent", err, pending)
	}
	if got := len(srv.messages()); got != 1 {
		t.Errorf("got %d messages, want 1", got)
	}
}
