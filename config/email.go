package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/strictyaml"
)

// Email is one list address that notifications are mailed to through an
// SMTP server. Every text key may hold ${NAME} references, expanded from
// the environment when a message is sent (docs/notifications.md#email).
type Email struct {
	SMTP     string   `yaml:"smtp"` // host:port
	Username string   `yaml:"username"`
	Password string   `yaml:"password"`
	From     string   `yaml:"from"`
	To       []string `yaml:"to"`
	// ListUnsubscribe is the List-Unsubscribe URI: mailto: or http(s).
	ListUnsubscribe string `yaml:"list_unsubscribe"`
	// TLS is one of EmailTLS; left empty, TLSMode chooses by the port.
	TLS string `yaml:"tls"`
	// Components, Events and MinImpact filter as a Webhook's do.
	Components []string `yaml:"components"`
	Events     []string `yaml:"events"`
	MinImpact  string   `yaml:"min_impact"`
}

// EmailTLS are the values of notify.email[].tls: STARTTLS (required, not
// opportunistic), TLS from the first byte, or none, for a relay on this
// machine that offers no TLS.
var EmailTLS = []string{"starttls", "implicit", "none"}

// TLSMode is e.TLS, or when it is left out, the mode the port implies:
// implicit on 465 (submissions, RFC 8314), starttls on any other.
func (e Email) TLSMode(port string) string {
	switch {
	case e.TLS != "":
		return e.TLS
	case port == "465":
		return "implicit"
	}
	return "starttls"
}

// ClearTextCredentials reports whether mailing through host, with the
// TLS mode mode, would send e's username and password unencrypted to
// another machine, which herald refuses. A loopback host is this machine:
// nothing crosses a network.
func (e Email) ClearTextCredentials(host, mode string) bool {
	return mode == "none" && (e.Username != "" || e.Password != "") && !IsLoopback(host)
}

// IsLoopback reports whether host names this machine without a lookup:
// "localhost" (RFC 6761) or a loopback address. Any other name is taken
// as remote, since what it resolves to may change.
func IsLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// checkEmail checks a notify.email entry and sets its TLS mode where the
// port is known. The password is never echoed, nor the username. A value
// with a ${NAME} reference is checked around it, as a webhook's url is;
// notify checks the expanded values again when it sends.
func checkEmail(doc *strictyaml.Doc, p string, e *Email) diag.List {
	var errs diag.List
	values := []struct{ key, value string }{{"smtp", e.SMTP}, {"username", e.Username}, {"password", e.Password}, {"from", e.From}, {"list_unsubscribe", e.ListUnsubscribe}}
	for i, to := range e.To {
		values = append(values, struct{ key, value string }{fmt.Sprintf("to[%d]", i), to})
	}
	for _, v := range values {
		if containsRef(varRE().ReplaceAllString(v.value, "")) {
			errs = append(errs, doc.Errorf(p+"."+v.key, "malformed ${…} reference").WithFix("write ${NAME}, NAME being letters, digits and underscores"))
		}
	}
	host, port := "", ""
	switch h, pt, err := net.SplitHostPort(e.SMTP); {
	case e.SMTP == "":
		errs = append(errs, doc.Errorf(p, "email without an smtp server").WithFix("add `smtp: host:port`, e.g. `smtp: smtp.example.com:587`"))
	case err != nil && containsRef(e.SMTP):
		// e.g. smtp: ${SMTP_SERVER}, taken on trust as a webhook's whole
		// url is; notify checks the expanded value.
	case err != nil || h == "" || pt == "":
		errs = append(errs, doc.Errorf(p+".smtp", "smtp must be host:port, found %q", e.SMTP).WithFix("add the port: 587 for STARTTLS, 465 for implicit TLS"))
	case !validHostPort(e.SMTP):
		errs = append(errs, doc.Errorf(p+".smtp", "smtp port %q is not a port number", pt).WithFix("use 587 for STARTTLS, 465 for implicit TLS"))
	default:
		host, port = h, pt
	}
	switch {
	case e.TLS != "" && !slices.Contains(EmailTLS, e.TLS):
		errs = append(errs, doc.Errorf(p+".tls", "unknown tls %q", e.TLS).WithFix("use starttls, implicit or none, or leave it out to choose by the port"))
	case port != "" && !containsRef(port):
		e.TLS = e.TLSMode(port)
	}
	if host != "" && !containsRef(host) && e.ClearTextCredentials(host, e.TLS) {
		errs = append(errs, doc.Errorf(p+".tls", "tls: none would send the smtp password in clear text to %s", host).WithFix("use tls: starttls or implicit; only a loopback host may take credentials without TLS"))
	}
	switch {
	case e.Username != "" && e.Password == "":
		errs = append(errs, doc.Errorf(p+".username", "smtp username without a password").WithFix("add `password: ${SMTP_PASSWORD}`, or remove username for a server that needs no login"))
	case e.Password != "" && e.Username == "":
		errs = append(errs, doc.Errorf(p+".password", "smtp password without a username").WithFix("add `username:`"))
	}
	if e.From == "" {
		errs = append(errs, doc.Errorf(p, "email without a from address").WithFix("add `from: \"Acme Status <status@example.com>\"`"))
	} else if !containsRef(e.From) {
		if _, err := mail.ParseAddress(e.From); err != nil {
			errs = append(errs, doc.Errorf(p+".from", "from %q is not an email address", e.From).WithFix("write `address@example.com` or `Name <address@example.com>`"))
		}
	}
	if len(e.To) == 0 {
		errs = append(errs, doc.Errorf(p, "email without a to address").WithFix("add `to: [updates@lists.example.com]`, a mailing list's address"))
	}
	for i, to := range e.To {
		if containsRef(to) {
			continue
		}
		if _, err := mail.ParseAddress(to); err != nil {
			errs = append(errs, doc.Errorf(fmt.Sprintf("%s.to[%d]", p, i), "to %q is not an email address", to).WithFix("write the list's address, e.g. updates@lists.example.com"))
		}
	}
	if e.ListUnsubscribe != "" && !containsRef(e.ListUnsubscribe) {
		if u, err := url.Parse(e.ListUnsubscribe); err != nil || !(u.Scheme == "mailto" && u.Opaque != "" || (u.Scheme == "https" || u.Scheme == "http") && u.Host != "") {
			errs = append(errs, doc.Errorf(p+".list_unsubscribe", "list_unsubscribe must be a mailto: or http(s) URL, found %q", e.ListUnsubscribe).WithFix("e.g. mailto:updates-leave@lists.example.com"))
		}
	}
	return errs
}
