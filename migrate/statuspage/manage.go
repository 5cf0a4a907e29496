package statuspage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/redact"
)

// ManageAPI is the base URL of Statuspage's management API.
const ManageAPI = "https://api.statuspage.io"

// KeyEnv names the environment variable that holds the management API's
// key. It is never a flag: a flag shows in ps.
const KeyEnv = "STATUSPAGE_API_KEY"

const (
	// perPage is what a list request asks for: the documented maximum
	// of per_page and, for incidents, of limit.
	perPage = 100
	// maxPages bounds each list, 100 000 incidents, so that a server that
	// never returns a short page cannot keep a migration going for ever.
	maxPages = 1000
	// maxTotal bounds all the management API's responses together.
	maxTotal = 512 << 20
	// maxRetries is how often a request refused with 429 Too Many
	// Requests is sent again: the API allows a key about one request a
	// second over a rolling minute, which a long history's pages exceed.
	maxRetries = 5
	// maxWait bounds one wait before a retry, whatever Retry-After says.
	maxWait = time.Minute
)

// ReadManaged reads the page pageID through the management API at base
// (ManageAPI, or a stand-in), sending key as the API documents it
// (Authorization: OAuth key): the page, its components and component
// groups, and every incident and maintenance, not only the public API's
// last 50. key is in no error it returns.
func ReadManaged(ctx context.Context, base, pageID, key string, client *http.Client) (*migrate.Site, error) {
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("read source %s: not an http(s) URL", redact.URL(base))
	}
	if !validPageID(pageID) {
		return nil, fmt.Errorf("read page %q: not a page id, which is letters and digits (the page's API info shows it)", pageID)
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	api := u.JoinPath("v1", "pages", pageID)
	m := &manager{client: client, header: http.Header{"Authorization": {"OAuth " + key}}, left: maxTotal}

	page, err := m.page(ctx, api)
	if err != nil {
		return nil, err
	}
	comps, err := getList(ctx, m, api.JoinPath("components"), "per_page", func(c componentJSON) string { return c.ID })
	if err != nil {
		return nil, err
	}
	groups, err := getList(ctx, m, api.JoinPath("component-groups"), "per_page", func(g groupJSON) string { return g.ID })
	if err != nil {
		return nil, err
	}
	// Incidents take limit, not per_page; the list holds maintenance too.
	incidents, err := getList(ctx, m, api.JoinPath("incidents"), "limit", func(in incidentJSON) string { return in.ID })
	if err != nil {
		return nil, err
	}
	docs := []document{page, componentList(redact.URL(api.JoinPath("components").String()), comps, groups)}
	for _, l := range incidents {
		docs = append(docs, document{file: l.name, src: l.src, Incidents: l.items, history: true})
	}
	return convert(docs)
}

func validPageID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return false
		}
	}
	return true
}

// manager sends the management API's requests, within one budget of
// bytes for them all.
type manager struct {
	client *http.Client
	header http.Header
	left   int64
}

func (m *manager) get(ctx context.Context, raw string) ([]byte, error) {
	if m.left <= 0 {
		return nil, fmt.Errorf("read %s: the responses passed %d MiB in all, too much for one page's history", redact.URL(raw), maxTotal>>20)
	}
	var src []byte
	var err error
	var status *statusError
	wait := time.Second
	for try := 0; ; try++ {
		src, err = get(ctx, m.client, raw, m.header, min(maxFile, m.left))
		if !errors.As(err, &status) || status.code != http.StatusTooManyRequests || try == maxRetries {
			break
		}
		// Retry-After when the API gives it, else 1, 2, 4… seconds.
		if status.retryAfter >= 0 {
			wait = time.Duration(status.retryAfter) * time.Second
		}
		t := time.NewTimer(min(wait, maxWait))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("fetch %s: %w", redact.URL(raw), ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
	if errors.As(err, &status) {
		switch status.code {
		case http.StatusUnauthorized, http.StatusForbidden:
			return nil, fmt.Errorf("%w (the API key was refused: check $%s and that it may read this page)", err, KeyEnv)
		case http.StatusNotFound:
			return nil, fmt.Errorf("%w (check -page-id: the page's API info shows its id)", err)
		case http.StatusTooManyRequests:
			return nil, fmt.Errorf("%w, %d times (the API allows about one request a second for a key; try again in a minute)", err, maxRetries+1)
		}
	}
	if err != nil {
		return nil, err
	}
	m.left -= int64(len(src))
	return src, nil
}

// managedPage is GET /v1/pages/{page_id}. Its url is the owner's own
// website, which the status page links to; the status page itself is
// at domain, else at subdomain.statuspage.io.
type managedPage struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	Domain    string `json:"domain"`
	Subdomain string `json:"subdomain"`
}

func (m *manager) page(ctx context.Context, api *url.URL) (document, error) {
	name := redact.URL(api.String())
	src, err := m.get(ctx, api.String())
	if err != nil {
		return document{}, err
	}
	var p managedPage
	if err := decode(name, src, &p); err != nil {
		return document{}, err
	}
	site := p.URL
	switch {
	case p.Domain != "":
		site = "https://" + p.Domain + "/"
	case p.Subdomain != "":
		site = "https://" + p.Subdomain + ".statuspage.io/"
	}
	return document{file: name, src: src, Page: &pageJSON{Name: p.Name, URL: site, TimeZone: p.TimeZone}}, nil
}

// groupJSON is a component group of GET /v1/pages/{page_id}/component-groups.
type groupJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description *string  `json:"description"`
	Components  []string `json:"components"`
	Position    flexInt  `json:"position"`
}

// flexInt reads a number, or a number in a string: the API reference
// gives a group's position as a string, and its examples as a number.
type flexInt int

func (n *flexInt) UnmarshalJSON(b []byte) error {
	i, err := strconv.Atoi(string(bytes.Trim(b, `"`)))
	if err != nil {
		return fmt.Errorf("read position %s: not a whole number", b)
	}
	*n = flexInt(i)
	return nil
}

// componentList turns the management API's components and groups into
// one list in the public API's shape, which convert reads: a group is an
// entry with group set, and a member names it in group_id.
func componentList(name string, comps []listed[componentJSON], groups []listed[groupJSON]) document {
	list := []componentJSON{}
	isGroup := map[string]bool{}
	groupOf := map[string]string{}
	for _, l := range groups {
		for _, g := range l.items {
			isGroup[g.ID] = true
			list = append(list, componentJSON{ID: g.ID, Name: g.Name, Description: g.Description, Position: int(g.Position), Group: true})
			for _, c := range g.Components {
				groupOf[c] = g.ID
			}
		}
	}
	for _, l := range comps {
		for _, c := range l.items {
			switch {
			case isGroup[c.ID]:
				continue // the group's own entry, already listed
			case !c.Group && (c.GroupID == nil || *c.GroupID == "") && groupOf[c.ID] != "":
				g := groupOf[c.ID]
				c.GroupID = &g
			}
			list = append(list, c)
		}
	}
	// Its entries come from several responses: no one source has their
	// lines, so notes name the URL alone.
	return document{file: name, Components: list}
}

// listed is one response of a list.
type listed[T any] struct {
	name  string
	src   []byte
	items []T
}

// getList reads every page of a list, asking for perPage items by
// sizeParam, until a page holds fewer.
func getList[T any](ctx context.Context, m *manager, endpoint *url.URL, sizeParam string, id func(T) string) ([]listed[T], error) {
	base := redact.URL(endpoint.String())
	seen := map[string]bool{}
	var out []listed[T]
	for n := 1; n <= maxPages; n++ {
		u := *endpoint
		u.RawQuery = url.Values{"page": {strconv.Itoa(n)}, sizeParam: {strconv.Itoa(perPage)}}.Encode()
		src, err := m.get(ctx, u.String())
		if err != nil {
			return nil, err
		}
		l := listed[T]{name: fmt.Sprintf("%s (page %d)", base, n), src: src}
		if err := decode(l.name, src, &l.items); err != nil {
			return nil, err
		}
		fresh := false
		for _, it := range l.items {
			if k := id(it); k == "" || !seen[k] {
				seen[k], fresh = true, true
			}
		}
		if len(l.items) > 0 && !fresh {
			return nil, fmt.Errorf("read %s: page %d repeats the pages before it; the server ignores the page parameter", base, n)
		}
		out = append(out, l)
		if len(l.items) < perPage {
			return out, nil
		}
	}
	return nil, fmt.Errorf("read %s: more than %d pages of %d", base, maxPages, perPage)
}
