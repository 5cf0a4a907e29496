// Package statuspagetest is a stand-in for Statuspage's management API
// (developer.statuspage.io), for tests of herald migrate -page-id: it
// serves a page, its components, component groups and incidents in the
// API's documented shape and pagination, and refuses a request without
// the key.
package statuspagetest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// maxPerPage is the API's documented maximum page size, and its default.
const maxPerPage = 100

// API serves one page's data. Each list is a slice of JSON values, as
// the API returns them.
type API struct {
	Key    string // the API key: requests must send "Authorization: OAuth <Key>"
	PageID string

	Page                          any
	Components, Groups, Incidents []any

	mu       sync.Mutex
	requests []string
}

// Requests returns the path and query of every request so far.
func (a *API) Requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests = append(a.requests, r.URL.RequestURI())
	a.mu.Unlock()
	if r.Method != http.MethodGet {
		fail(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.Header.Get("Authorization") != "OAuth "+a.Key {
		fail(w, http.StatusUnauthorized, "Could not authenticate")
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/pages/"+a.PageID)
	if !ok {
		fail(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	// The documented query parameters of each list: incidents take
	// limit, the others per_page. Anything else is refused, so that a
	// client sending the wrong one fails rather than gets the default.
	var list []any
	var size string
	switch rest {
	case "", "/":
		if len(r.URL.Query()) > 0 {
			fail(w, http.StatusBadRequest, "unexpected query")
			return
		}
		reply(w, a.Page)
		return
	case "/components":
		list, size = a.Components, "per_page"
	case "/component-groups":
		list, size = a.Groups, "per_page"
	case "/incidents":
		list, size = a.Incidents, "limit"
	default:
		fail(w, http.StatusNotFound, "The requested resource could not be found.")
		return
	}
	page, per := 1, maxPerPage
	for k, v := range r.URL.Query() {
		n, err := strconv.Atoi(v[0])
		switch {
		case k != "page" && k != size, err != nil, n < 1:
			fail(w, http.StatusBadRequest, "invalid parameter "+k)
			return
		case k == "page":
			page = n
		default:
			per = min(n, maxPerPage)
		}
	}
	from := min((page-1)*per, len(list))
	reply(w, append([]any{}, list[from:min(from+per, len(list))]...))
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
