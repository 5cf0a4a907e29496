// Package redact keeps the secrets that URLs carry out of what herald
// prints. A URL's userinfo (a basic-auth password, a token used as a user
// name) and its query (API keys, signatures) are secrets wherever they
// appear, and so is the whole path of a webhook URL: Slack's and Discord's
// carry their token there. Every error and log line that may hold a URL
// goes through this package. The scheme and host stay, so a message still
// says where herald was talking to.
//
// It is a foundation package: it imports only the standard library, and any
// layer may import it.
package redact

import (
	"errors"
	"strings"
)

// URL returns raw with its userinfo replaced by "***" and its query and
// fragment dropped, for a URL whose path is not secret:
// "https://user:pw@host/a?key=k" becomes "https://***@host/a".
func URL(raw string) string { return rewrite(raw, false) }

// Endpoint returns raw's scheme and host alone, its path shortened to "/…",
// for webhook and notification URLs, whose path is the secret:
// "https://hooks.slack.com/services/T0/B0/X" becomes
// "https://hooks.slack.com/…".
func Endpoint(raw string) string { return rewrite(raw, true) }

// rewrite splits raw by hand rather than with url.Parse, so that a URL
// too broken to parse is still redacted.
func rewrite(raw string, dropPath bool) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		b.WriteString("***@")
		authority = authority[i+1:]
	}
	b.WriteString(authority)
	p, _, _ := strings.Cut(tail, "?")
	p, _, _ = strings.Cut(p, "#")
	if dropPath && p != "" && p != "/" {
		p = "/…"
	}
	b.WriteString(p)
	return b.String()
}

// Text returns s with every URL in it passed through f (URL or Endpoint).
// A URL starts with a scheme and "://" and ends at white space or a quote,
// the way Go's errors print one ("Post \"https://…\": …").
func Text(s string, f func(string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := i
		for start > 0 && isSchemeByte(s[start-1]) {
			start--
		}
		end := i + len("://")
		for end < len(s) && !isURLEnd(s[end]) {
			end++
		}
		b.WriteString(s[:start])
		if start == i { // no scheme: not a URL
			b.WriteString(s[start:end])
		} else {
			b.WriteString(f(s[start:end]))
		}
		s = s[end:]
	}
}

func isSchemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// isURLEnd reports the bytes that end a URL in a message: white space,
// control bytes, and the quotes and brackets messages put around one. A
// backslash ends it too, since inside a %q string it starts an escape.
func isURLEnd(c byte) bool {
	return c <= ' ' || c == 0x7f || strings.IndexByte("\"'`<>\\", c) >= 0
}

// Error returns an error whose message is err's with every URL passed
// through f (URL or Endpoint); nil stays nil. errors.Is still finds what
// err wraps (context.Canceled, a package's sentinel), but the result has
// no Unwrap, so errors.As cannot dig the unredacted *url.Error back out
// and print it.
func Error(err error, f func(string) string) error {
	if err == nil {
		return nil
	}
	return &redacted{msg: Text(err.Error(), f), err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }

func (e *redacted) Is(target error) bool { return errors.Is(e.err, target) }
