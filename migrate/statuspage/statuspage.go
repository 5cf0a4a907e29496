// Package statuspage reads the public v2 API of an Atlassian Statuspage
// page (summary.json, components.json, incidents.json,
// scheduled-maintenances.json) into a migrate.Site. docs/migrate.md maps
// each field.
package statuspage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/redact"
)

// Files are the API documents Read looks for, in the order it reads them.
// None is required on its own, but a source must hold at least one.
var Files = []string{"summary.json", "components.json", "incidents.json", "scheduled-maintenances.json"}

const (
	// fetchTimeout bounds each file's request, so a stalled server cannot
	// hang a migration.
	fetchTimeout = 30 * time.Second
	// maxFile bounds a file's size: 50 incidents with long timelines are
	// a few MB; anything far larger is not the API.
	maxFile = 64 << 20
)

// ErrNoData is returned when a source holds none of the API files.
var ErrNoData = errors.New("no Statuspage API file found")

// Read reads SOURCE: a folder holding the API files, a single API file
// (such as an incidents.json response), or the http(s) base URL of a page,
// from which it fetches api/v2/<file> with client (nil for a default one).
func Read(ctx context.Context, source string, client *http.Client) (*migrate.Site, error) {
	var docs []document
	var err error
	switch {
	case strings.HasPrefix(source, "http://") || strings.HasPrefix(source, "https://"):
		docs, err = fetchAll(ctx, source, client)
	default:
		docs, err = readLocal(source)
	}
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("read %s: %w (want one of %s)", source, ErrNoData, strings.Join(Files, ", "))
	}
	return convert(docs)
}

// document is one API file, any of the four: each carries the page, and
// the lists it has are non-nil.
type document struct {
	file string // as the user names it
	src  []byte
	// history is set on the management API's incident lists, which hold
	// every incident, not the public API's last 50.
	history bool

	Page        *pageJSON       `json:"page"`
	Components  []componentJSON `json:"components"`
	Incidents   []incidentJSON  `json:"incidents"`
	Maintenance []incidentJSON  `json:"scheduled_maintenances"`
}

type pageJSON struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	TimeZone string `json:"time_zone"`
}

type componentJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Position    int     `json:"position"`
	Description *string `json:"description"`
	GroupID     *string `json:"group_id"`
	Group       bool    `json:"group"`
	// OnlyShowIfDegraded hides a component while it is operational;
	// herald always shows every component.
	OnlyShowIfDegraded bool `json:"only_show_if_degraded"`
}

type affectedJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	NewStatus string `json:"new_status"`
}

type updateJSON struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Body               string         `json:"body"`
	CreatedAt          *string        `json:"created_at"`
	DisplayAt          *string        `json:"display_at"`
	AffectedComponents []affectedJSON `json:"affected_components"`
}

type incidentJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Impact          string          `json:"impact"`
	CreatedAt       *string         `json:"created_at"`
	StartedAt       *string         `json:"started_at"`
	ResolvedAt      *string         `json:"resolved_at"`
	Shortlink       string          `json:"shortlink"`
	Components      []componentJSON `json:"components"`
	IncidentUpdates []updateJSON    `json:"incident_updates"`
	// Set for maintenance, which Statuspage's incidents.json lists too.
	ScheduledFor   *string `json:"scheduled_for"`
	ScheduledUntil *string `json:"scheduled_until"`
	// The management API's postmortem, which the public API carries only
	// as an update, if at all. published_at is a time once published
	// (the API reference types it a boolean; either is read).
	PostmortemBody        string          `json:"postmortem_body"`
	PostmortemPublishedAt json.RawMessage `json:"postmortem_published_at"`
	PostmortemUpdatedAt   *string         `json:"postmortem_body_last_updated_at"`
}

func readLocal(source string) ([]document, error) {
	info, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("read source: %w", err)
	}
	if !info.IsDir() {
		d, err := readFile(source)
		if err != nil {
			return nil, err
		}
		return []document{d}, nil
	}
	var docs []document
	for _, name := range Files {
		d, err := readFile(filepath.Join(source, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func readFile(name string) (document, error) {
	f, err := os.Open(name)
	if err != nil {
		return document{}, fmt.Errorf("read %s: %w", name, err)
	}
	defer f.Close()
	src, err := readCapped(f, name, maxFile)
	if err != nil {
		return document{}, err
	}
	return parse(name, src)
}

func readCapped(r io.Reader, name string, limit int64) ([]byte, error) {
	src, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(src)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d MiB, too large for an API response", name, limit>>20)
	}
	return src, nil
}

func fetchAll(ctx context.Context, base string, client *http.Client) ([]document, error) {
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("read source %s: not an http(s) URL", redact.URL(base))
	}
	// The page's base URL, or its API folder: both name the same files.
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v2") + "/api/v2/"
	var docs []document
	for _, name := range Files {
		d, found, err := fetch(ctx, client, u.JoinPath(name).String())
		if err != nil {
			return nil, err
		}
		if found {
			docs = append(docs, d)
		}
	}
	return docs, nil
}

// fetch gets one file; a 404 means the page does not publish it.
func fetch(ctx context.Context, client *http.Client, raw string) (document, bool, error) {
	src, err := get(ctx, client, raw, nil, maxFile)
	var status *statusError
	if errors.As(err, &status) && status.code == http.StatusNotFound {
		return document{}, false, nil
	}
	if err != nil {
		return document{}, false, err
	}
	d, err := parse(redact.URL(raw), src)
	return d, err == nil, err
}

// statusError is a response other than 200 OK.
type statusError struct {
	url    string // redacted
	code   int
	status string
	// retryAfter is the Retry-After header in seconds; -1 without one.
	retryAfter int
}

func (e *statusError) Error() string { return fmt.Sprintf("fetch %s: %s", e.url, e.status) }

// get reads the body of a GET of raw, sent with header, within
// fetchTimeout and at most limit bytes. Errors name raw without its
// credentials or query, and never hold header's values.
func get(ctx context.Context, client *http.Client, raw string, header http.Header, limit int64) ([]byte, error) {
	name := redact.URL(raw)
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("fetch %s: %w", name, err), redact.URL)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, redact.Error(fmt.Errorf("fetch %s: %w", name, err), redact.URL)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || after < 0 {
			after = -1
		}
		return nil, &statusError{url: name, code: resp.StatusCode, status: resp.Status, retryAfter: after}
	}
	src, err := readCapped(resp.Body, name, limit)
	return src, redact.Error(err, redact.URL)
}

func parse(name string, src []byte) (document, error) {
	d := document{file: name, src: src}
	if err := decode(name, src, &d); err != nil {
		return d, err
	}
	if d.Page == nil && d.Components == nil && d.Incidents == nil && d.Maintenance == nil {
		return d, diag.Errorf(name, 1, 1, "not a Statuspage v2 API response: no page, components, incidents or scheduled_maintenances").
			WithFix("give summary.json, components.json, incidents.json or scheduled-maintenances.json")
	}
	return d, nil
}

// decode unmarshals src into v; an error is placed at its line and column.
func decode(name string, src []byte, v any) error {
	err := json.Unmarshal(src, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := migrate.Position(src, syn.Offset-1)
		return diag.Errorf(name, line, col, "malformed JSON: %v", err).WithFix("fetch the file again; it is not a whole API response")
	case errors.As(err, &typ) && typ.Field == "":
		line, col := migrate.Position(src, typ.Offset-1)
		return diag.Errorf(name, line, col, "the response is a JSON %s, not what the API returns there", typ.Value).WithFix("check the URL")
	case errors.As(err, &typ):
		line, col := migrate.Position(src, typ.Offset-1)
		return diag.Errorf(name, line, col, "%s is a JSON %s, not a %s", typ.Field, typ.Value, typ.Type).WithFix("give a Statuspage API response")
	}
	return diag.Errorf(name, 1, 1, "malformed JSON: %v", err)
}

// lineOf is the line of the object with this id: the first place the id
// is quoted after its "id" key. 0 when it cannot be found.
func (d *document) lineOf(id string) int {
	if id == "" {
		return 0
	}
	quoted, _ := json.Marshal(id)
	for off := 0; ; {
		i := bytes.Index(d.src[off:], quoted)
		if i < 0 {
			return 0
		}
		at := off + i
		key := bytes.TrimRight(d.src[:at], " \t\r\n")
		if bytes.HasSuffix(key, []byte(":")) && bytes.HasSuffix(bytes.TrimRight(key[:len(key)-1], " \t\r\n"), []byte(`"id"`)) {
			line, _ := migrate.Position(d.src, int64(at))
			return line
		}
		off = at + len(quoted)
	}
}

func (d *document) errorf(id, format string, args ...any) *diag.Error {
	return diag.Errorf(d.file, d.lineOf(id), 1, format, args...)
}
