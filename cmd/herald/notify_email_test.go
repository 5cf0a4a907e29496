package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server (emersion/go-smtp) on a loopback port
// that keeps the messages it is sent; notify/email_test.go tests the
// messages themselves, this only that the commands send them.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return mailSession{m}, nil }

func (m *mailbox) got() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

type mailSession struct{ m *mailbox }

func (mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (mailSession) Reset()                               {}
func (mailSession) Logout() error                        { return nil }
func (s mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, string(data))
	s.m.mu.Unlock()
	return err
}

func startMailbox(tb testing.TB) *mailbox {
	tb.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	m.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return m
}

// emailOnly is a notify section with an email channel and no webhook:
// a relay on this machine, without TLS or login.
func emailOnly(addr string) string {
	return "notify:\n  email:\n    - {smtp: '" + addr + "', tls: none, from: status@example.com, to: [updates@lists.example.com]}\n"
}

// TestNotifyEmailOnly runs herald notify, then herald watch, on sites
// whose only channel is email: both send it.
func TestNotifyEmailOnly(t *testing.T) {
	t.Run("notify", func(t *testing.T) {
		mb := startMailbox(t)
		site := newTestSite(t, testConfig+emailOnly(mb.addr))
		notifyAt := func(now string) (int, string) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"notify", "-site", site, "-now", now, "-timeout", "20s"}, &stdout, &stderr)
			return code, stdout.String() + stderr.String()
		}
		if code, out := notifyAt("2026-11-28T09:00:00Z"); code != exitOK || !strings.Contains(out, "baseline recorded") {
			t.Fatalf("first run: exit %d, %s", code, out)
		}
		writeFile(t, filepath.Join(site, "incidents", "b.md"), "---\ntitle: Outage\ncomponents: {web: major_outage}\nstarted: 2026-11-28 10:00\n---\nDown.\n")
		if code, out := notifyAt("2026-11-28T11:00:00Z"); code != exitOK || !strings.Contains(out, "sent 1 new events") {
			t.Fatalf("got exit %d, %s, want 1 event sent", code, out)
		}
		if got := mb.got(); len(got) != 1 || !strings.Contains(got[0], "Subject: New incident (critical impact): Outage") {
			t.Errorf("got %d messages %q, want the new incident's", len(got), got)
		}
	})
	t.Run("watch", func(t *testing.T) {
		mb := startMailbox(t)
		site := newTestSite(t, testConfig+emailOnly(mb.addr))
		p := start(t, site, "watch", "-every", "1h")
		waitFor(t, p, "the baseline", func() bool { return strings.Contains(p.stdout.String(), "notify: recorded a baseline") })
		writeFile(t, filepath.Join(site, "incidents", "b.md"), "---\ntitle: Outage\ncomponents: {web: major_outage}\nstarted: 2026-11-28 14:00\n---\nDown.\n")
		waitFor(t, p, "the mail", func() bool { return len(mb.got()) == 1 })
		p.stop(t)
		if got := mb.got(); !strings.Contains(got[0], "Subject: New incident (critical impact): Outage") {
			t.Errorf("got %q, want the new incident's message", got[0])
		}
	})
	t.Run("usage", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		run(context.Background(), []string{"notify", "-h"}, &stdout, &stderr)
		if out := stdout.String() + stderr.String(); !strings.Contains(out, "notify.email") {
			t.Errorf("got usage:\n%s\nwant it to name notify.email", out)
		}
	})
}
