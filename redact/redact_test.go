package redact_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/herald-status/herald/redact"
)

func TestURL(t *testing.T) {
	tests := []struct {
		name, in, url, endpoint string
	}{
		{"plain", "https://status.example.com/api/v2/status.json", "https://status.example.com/api/v2/status.json", "https://status.example.com/…"},
		{"root", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/"},
		{"host only", "http://127.0.0.1:8080", "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"password", "http://user:PASSW0RD@127.0.0.1:1/", "http://***@127.0.0.1:1/", "http://***@127.0.0.1:1/"},
		{"token as user", "https://TOKEN@github.com/o/r.git", "https://***@github.com/o/r.git", "https://***@github.com/…"},
		{"at in password", "https://u:p@ss@h.example/", "https://***@h.example/", "https://***@h.example/"},
		{"query", "https://h.example/x?key=K&sig=S", "https://h.example/x", "https://h.example/…"},
		{"query at root", "https://h.example?key=K", "https://h.example", "https://h.example"},
		{"fragment", "https://h.example/x#tok=T", "https://h.example/x", "https://h.example/…"},
		{"slack", "https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/…"},
		{"ipv6", "http://[::1]:9/h?k=K", "http://[::1]:9/h", "http://[::1]:9/…"},
		{"unparsable", "http://u:p@h.example/%zz?k=K", "http://***@h.example/%zz", "http://***@h.example/…"},
		{"not a URL", "public/api/v2/status.json", "public/api/v2/status.json", "public/api/v2/status.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.URL(tt.in); got != tt.url {
				t.Errorf("URL(%q): got %q, want %q", tt.in, got, tt.url)
			}
			if got := redact.Endpoint(tt.in); got != tt.endpoint {
				t.Errorf("Endpoint(%q): got %q, want %q", tt.in, got, tt.endpoint)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
		f              func(string) string
	}{
		{"go error", `Post "https://hooks.slack.com/services/T0/B0/SECRET": dial tcp 1.2.3.4:443: connect: connection refused`,
			`Post "https://hooks.slack.com/…": dial tcp 1.2.3.4:443: connect: connection refused`, redact.Endpoint},
		{"two URLs", `failed to parse Location header "http://h/x?sig=S%": bad; Get "https://u:p@a.example/": EOF`,
			`failed to parse Location header "http://h/x": bad; Get "https://***@a.example/": EOF`, redact.URL},
		{"bare", "fetching http://user:PASSW0RD@127.0.0.1:1/api?t=T now", "fetching http://***@127.0.0.1:1/api now", redact.URL},
		{"angle brackets", "<https://h.example/p?k=K>", "<https://h.example/p>", redact.URL},
		{"at the end", "to https://h.example/x?k=K", "to https://h.example/x", redact.URL},
		{"no scheme", "odd ://h.example/x?k=K", "odd ://h.example/x?k=K", redact.URL},
		{"no URL", "dial tcp 127.0.0.1:1: connect: connection refused", "dial tcp 127.0.0.1:1: connect: connection refused", redact.URL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redact.Text(tt.in, tt.f); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestError checks a real *url.Error from net/http: its message loses the
// secret, errors.Is still sees the cause, and errors.As cannot get the
// unredacted *url.Error back.
func TestError(t *testing.T) {
	sentinel := errors.New("sentinel")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://user:PASSW0RD@127.0.0.1:1/hooks/TOKEN?k=QUERY", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = http.DefaultClient.Do(req)
	if err == nil {
		t.Fatal("got no error from a canceled request")
	}
	got := redact.Error(fmt.Errorf("%w: %w", sentinel, err), redact.Endpoint)
	for _, s := range []string{"user", "PASSW0RD", "TOKEN", "QUERY", "hooks"} {
		if strings.Contains(got.Error(), s) {
			t.Errorf("got %q, which holds %q", got, s)
		}
	}
	if want := `sentinel: Post "http://***@127.0.0.1:1/…": context canceled`; got.Error() != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(got, context.Canceled) || !errors.Is(got, sentinel) {
		t.Errorf("got errors.Is false for the causes of %q, want true", got)
	}
	var ue *url.Error
	if errors.As(got, &ue) {
		t.Errorf("got the *url.Error %q back out, want none", ue)
	}
	if redact.Error(nil, redact.URL) != nil {
		t.Errorf("got a non-nil error for nil")
	}
}
