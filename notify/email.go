package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/i18n"
)

// This file is the email channel: an event becomes one message to a list
// address, sent through the SMTP server of a notify.email entry. It is a
// hook like a webhook, so it shares the state, the queue per channel, the
// retries and the filters; only composing and sending differ.
//
// herald sends to list addresses only and keeps no reader's address: the
// mailing list (Mailman, say) holds its members and sends each a copy.

// emailHook makes the hook of one notify.email entry. The filter keys go
// where wants reads them. The key hashes where the mail goes, as written:
// the server and the lists. The credentials are not in it, so the state
// file holds no secret, and a corrected password or a new sender's name
// keeps the events that are pending.
func emailHook(e config.Email) hook {
	sum := sha256.Sum256([]byte("email " + e.SMTP + " " + strings.Join(e.To, ",")))
	return hook{
		Webhook: config.Webhook{Format: "email", Components: e.Components, Events: e.Events, MinImpact: e.MinImpact},
		key:     hex.EncodeToString(sum[:8]),
		email:   &e,
	}
}

// WithTLSConfig sets the TLS settings of SMTP connections, such as the
// roots to trust (default: the system's). The server's name is set for
// each connection.
func WithTLSConfig(c *tls.Config) Option { return func(n *Notifier) { n.tls = c } }

// smtpTimeout bounds one SMTP exchange, from dialling to QUIT, as the
// HTTP client's timeout bounds one webhook request.
const smtpTimeout = 10 * time.Second

// mailer is a notify.email entry with its ${NAME} references expanded,
// ready to send.
type mailer struct {
	config.Email
	host, port, mode string
}

// expandEmail expands the ${NAME} references of e (see secrets), and
// checks again what herald.yaml could not show before: the server's
// address and whether it would get the password in clear text.
func expandEmail(e config.Email) (mailer, error) {
	var env secrets
	e.SMTP = env.expand(e.SMTP)
	e.Username = env.expand(e.Username)
	e.Password = env.expand(e.Password)
	e.From = env.expand(e.From)
	e.ListUnsubscribe = env.expand(e.ListUnsubscribe)
	e.To = append([]string(nil), e.To...)
	for i := range e.To {
		e.To[i] = env.expand(e.To[i])
	}
	if err := env.err("email"); err != nil {
		return mailer{}, err
	}
	host, port, err := net.SplitHostPort(e.SMTP)
	if err != nil || host == "" {
		return mailer{}, errors.New("expand email: smtp is not host:port (set it to e.g. smtp.example.com:587)")
	}
	m := mailer{Email: e, host: host, port: port, mode: e.TLSMode(port)}
	if e.ClearTextCredentials(host, m.mode) {
		return mailer{}, fmt.Errorf("refuse to send the smtp password in clear text to %s (use tls: starttls or implicit; only a loopback host may take credentials without TLS)", host)
	}
	return m, nil
}

// messageID is the Message-ID of the message about ev, without its angle
// brackets: the event's id at the site's host. It is the same at every
// send, so that a receiver that dedupes by it sees a re-sent event once.
func messageID(ev Event, id string) string {
	host := "herald.invalid"
	if u, err := url.Parse(ev.Site.URL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return id + "@" + host
}

// threadID is the Message-ID of the incident's first message, the
// incident.created or maintenance.scheduled event, whose key candidates
// makes "created/" + slug. It exists whether or not that message was sent
// (to this list, or at all), which mail readers accept.
func threadID(ev Event) string {
	return messageID(ev, eventID(ev.Site.URL, "created/"+ev.Incident.Slug))
}

// composeMail builds the message about ev in l's words: the chat
// headline as subject, a plain text part and an HTML alternative, and the
// headers that thread an incident's messages and let a reader leave the
// list.
func composeMail(l *i18n.Locale, m mailer, ev Event) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("compose email: from: %w", err)
	}
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("compose email: to: %w", err)
	}
	msg.Subject(Headline(l, ev))
	msg.SetMessageIDWithValue(messageID(ev, ev.ID))
	// The event's own time, not the clock's: a re-sent message is the
	// same message.
	msg.SetDateWithValue(ev.Time)
	if ev.Incident.Slug != "" && ev.Type != IncidentCreated && ev.Type != MaintenanceScheduled {
		first := "<" + threadID(ev) + ">"
		msg.SetGenHeader(mail.HeaderInReplyTo, first)
		msg.SetGenHeader(mail.HeaderReferences, first)
	}
	// Automatic replies (out of office) from the list's members should
	// not come back to the sender (RFC 3834).
	msg.SetBulk()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetUserAgent("herald-notify/1")
	switch u := m.ListUnsubscribe; {
	case strings.HasPrefix(u, "https://"):
		// RFC 8058: a mail reader may POST to it to unsubscribe in one
		// click.
		if err := msg.SetListUnsubscribeOneClick(u); err != nil {
			return nil, fmt.Errorf("compose email: list_unsubscribe: %w", err)
		}
	case u != "":
		msg.SetListUnsubscribe(u)
	}
	msg.SetBodyString(mail.TypeTextPlain, mailText(l, ev))
	var html strings.Builder
	if err := mailHTML().Execute(&html, mailView(l, ev)); err != nil {
		return nil, fmt.Errorf("compose email: %w", err)
	}
	msg.AddAlternativeString(mail.TypeTextHTML, html.String())
	return msg, nil
}

// mailText is the plain text part: what a chat message says, in lines.
func mailText(l *i18n.Locale, ev Event) string {
	var b strings.Builder
	b.WriteString(Headline(l, ev) + "\n\n")
	if t := text(l, ev); t != "" {
		b.WriteString(t + "\n\n")
	}
	b.WriteString(details(l, ev) + "\n\n")
	b.WriteString(link(ev) + "\n\n")
	b.WriteString("-- \n" + ev.Site.Title + "\n" + ev.Site.URL + "\n")
	return b.String()
}

type mailData struct {
	Lang, Dir, Start, Headline, Text, Details, URL, Open, SiteTitle, SiteURL, Colour string
}

func mailView(l *i18n.Locale, ev Event) mailData {
	return mailData{
		Lang: l.Tag(), Dir: l.Dir(), Start: start(l),
		Headline: Headline(l, ev), Text: text(l, ev), Details: details(l, ev), URL: link(ev), Open: l.T("notify.email_open"),
		SiteTitle: ev.Site.Title, SiteURL: ev.Site.URL, Colour: fmt.Sprintf("#%06x", colour(ev)),
	}
}

// start is the side a line of text starts on. The HTML part names it
// rather than use CSS's logical properties (border-inline-start), which
// many mail readers do not know.
func start(l *i18n.Locale) string {
	if l.Dir() == "rtl" {
		return "right"
	}
	return "left"
}

// mailHTML is the HTML part: short, one column, and readable in a phone's
// mail app, with inline styles since mail readers drop style sheets.
// html/template escapes every piece of user text. lang and dir let a mail
// reader pick the fonts, the hyphenation and, in Arabic, the direction.
var mailHTML = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Headline}}</title></head>
<body style="margin:0;padding:16px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">
<div style="max-width:36em;border-{{.Start}}:4px solid {{.Colour}};padding-{{.Start}}:12px">
<h1 style="font-size:18px;margin:0 0 12px">{{.Headline}}</h1>
{{- if .Text}}
<p style="margin:0 0 12px;white-space:pre-wrap">{{.Text}}</p>
{{- end}}
<p style="margin:0 0 12px;color:#555;font-size:14px">{{.Details}}</p>
<p style="margin:0 0 16px"><a href="{{.URL}}">{{.Open}}</a></p>
</div>
<p style="margin:0;color:#555;font-size:13px"><a href="{{.SiteURL}}" style="color:#555">{{.SiteTitle}}</a></p>
</body></html>
`))
})

// sendMail sends msg through m's server: STARTTLS (required), implicit
// TLS or, to a loopback host, none. The error never holds the username or
// the password, whatever the server answered; an answer that retrying
// will not change (5xx: a wrong password, a refused address) is permanent.
func (n *Notifier) sendMail(ctx context.Context, m mailer, msg *mail.Msg) error {
	port, err := strconv.Atoi(m.port)
	if err != nil {
		return permanent{fmt.Errorf("send email: smtp port %q is not a number", m.port)}
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if n.tls != nil {
		tc = n.tls.Clone()
	}
	tc.ServerName = m.host
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(smtpTimeout), mail.WithTLSConfig(tc)}
	switch m.mode {
	case "implicit":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if m.Username != "" || m.Password != "" {
		auth := mail.SMTPAuthAutoDiscover
		if m.mode == "none" {
			// expandEmail allowed it: the host is loopback. go-mail
			// would otherwise pick no mechanism that sends a password
			// unencrypted.
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(m.Username), mail.WithPassword(m.Password))
	}
	c, err := mail.NewClient(m.host, opts...)
	if err == nil {
		err = c.DialAndSendWithContext(ctx, msg)
	}
	if err == nil {
		return nil
	}
	var reply *textproto.Error
	var send *mail.SendError
	final := errors.As(err, &reply) && reply.Code >= 500 || errors.As(err, &send) && !send.IsTemp()
	err = &secretless{msg: scrub(err.Error(), m.Username, m.Password), err: err}
	if final {
		return permanent{err}
	}
	return err
}

// scrub replaces each secret in s.
func scrub(s string, secrets ...string) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

// secretless is an error whose message has had the credentials taken out
// (a server may echo the user name it refused). Like redact.Error, it
// matches what it wraps with errors.Is but does not unwrap, so that no
// caller prints the original.
type secretless struct {
	msg string
	err error
}

func (e *secretless) Error() string        { return "send email: " + e.msg }
func (e *secretless) Is(target error) bool { return errors.Is(e.err, target) }
