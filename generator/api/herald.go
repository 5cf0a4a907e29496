package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
)

// heraldComponent is one component in api/herald/status.json.
type heraldComponent struct {
	ID           string `json:"id"`
	StatuspageID string `json:"statuspage_id"`
	Name         string `json:"name"`
	Group        string `json:"group"`
	// Status is herald's view: the Statuspage status from incidents, or
	// "stale" or "no_data" when the probe data cannot be trusted and no
	// incident says worse.
	Status string `json:"status"`
	// IncidentStatus is the status the component's incidents give it.
	IncidentStatus string `json:"incident_status"`
	Monitored      bool   `json:"monitored"`
	// Stale and NoData are null when the build knew nothing of probes.
	Stale  *bool `json:"stale"`
	NoData *bool `json:"no_data"`
}

type heraldStatusDoc struct {
	UpdatedAt  *string           `json:"updated_at"`
	Indicator  string            `json:"indicator"`
	Components []heraldComponent `json:"components"`
}

func (b *builder) heraldStatus() any {
	doc := heraldStatusDoc{UpdatedAt: rfc3339(b.snap.Now), Indicator: b.status().Indicator, Components: []heraldComponent{}}
	for _, c := range b.snap.Components {
		hc := heraldComponent{
			ID: c.ID, StatuspageID: ID("component", c.ID), Name: c.Name, Group: c.Group,
			Status: string(c.Status), IncidentStatus: string(c.Status), Monitored: c.Monitored,
		}
		if st, ok := b.x.Probe[c.ID]; ok && st != ProbeUnknown {
			stale, none := st == ProbeStale, st == ProbeNoData
			hc.Stale, hc.NoData = &stale, &none
			if c.Status == incident.Operational && (stale || none) {
				hc.Status = string(st)
			}
		}
		doc.Components = append(doc.Components, hc)
	}
	return doc
}

type heraldUptimeComponent struct {
	ID string `json:"id"`
	// Days is null until the build passes uptime (Extra.Uptime).
	Days []DayUptime `json:"days"`
	// Windows is null until the build passes them (Extra.Windows).
	Windows []WindowUptime `json:"windows"`
	// SLO is null for a component without an objective.
	SLO *SLO `json:"slo"`
}

type heraldUptimeDoc struct {
	UpdatedAt *string `json:"updated_at"`
	// WindowDays is null while uptime is not known.
	WindowDays *int                    `json:"window_days"`
	Components []heraldUptimeComponent `json:"components"`
}

func (b *builder) heraldUptime() any {
	doc := heraldUptimeDoc{UpdatedAt: rfc3339(b.snap.Now), Components: []heraldUptimeComponent{}}
	if b.x.Uptime != nil && b.x.UptimeDays > 0 {
		n := b.x.UptimeDays
		doc.WindowDays = &n
	}
	for _, c := range b.snap.Components {
		hc := heraldUptimeComponent{ID: c.ID}
		if days, ok := b.x.Uptime[c.ID]; ok {
			hc.Days = nonNil(days)
		}
		if ws, ok := b.x.Windows[c.ID]; ok {
			hc.Windows = nonNil(ws)
		}
		if o, ok := b.x.SLO[c.ID]; ok {
			hc.SLO = &o
		}
		doc.Components = append(doc.Components, hc)
	}
	return doc
}

// PlainText turns an update's HTML, as the Markdown renderer writes it,
// into the plain text Statuspage bodies are: tags dropped, entities
// decoded, one blank line between paragraphs, list items on their own
// lines with a dash. A tag's attributes never hold a raw '>' there, since
// the renderer escapes them.
func PlainText(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(space(s))
			break
		}
		b.WriteString(space(s[:i]))
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(strings.Trim(s[i+1:i+j], "/ "))
		if k := strings.IndexAny(tag, " \t\n"); k >= 0 {
			tag = tag[:k]
		}
		switch tag {
		case "p", "div", "pre", "blockquote", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "hr":
			b.WriteString("\n\n")
		case "li":
			if s[i+1] != '/' {
				b.WriteString("\n- ")
			}
		case "br":
			b.WriteString("\n")
		case "td", "th":
			b.WriteString(" ")
		}
		s = s[i+j+1:]
	}
	text := html.UnescapeString(b.String())
	// Collapse white space within lines and runs of blank lines.
	var out []string
	blank := false
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank && !strings.HasPrefix(line, "- ") {
			out = append(out, "")
		}
		blank = false
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// space turns the line breaks of HTML source into the spaces they mean.
func space(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Errors of ReadStatus.
var (
	ErrInvalidStatus = errors.New("not a Statuspage status.json")
)

// indicators are the values ReadStatus accepts in status.indicator:
// Statuspage's, with the "maintenance" that Statuspage itself (not herald,
// which writes "none" then) answers during a maintenance window.
var indicators = []string{"none", "minor", "major", "critical", "maintenance"}

// StatusFile is what a watchdog reads of a published api/v2/status.json.
type StatusFile struct {
	PageName    string
	UpdatedAt   time.Time
	Indicator   string
	Description string
}

// ReadStatus parses a published api/v2/status.json and checks the fields a
// watchdog relies on.
func ReadStatus(data []byte) (*StatusFile, error) {
	var doc struct {
		Page *struct {
			Name      string  `json:"name"`
			UpdatedAt *string `json:"updated_at"`
		} `json:"page"`
		Status *statusJSON `json:"status"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidStatus, err)
	}
	switch {
	case doc.Page == nil:
		return nil, fmt.Errorf("%w: no \"page\" object", ErrInvalidStatus)
	case doc.Page.UpdatedAt == nil || *doc.Page.UpdatedAt == "":
		return nil, fmt.Errorf("%w: no page.updated_at", ErrInvalidStatus)
	case doc.Status == nil || doc.Status.Indicator == "":
		return nil, fmt.Errorf("%w: no status.indicator", ErrInvalidStatus)
	case !slices.Contains(indicators, doc.Status.Indicator):
		return nil, fmt.Errorf("%w: status.indicator %q is not one of %s", ErrInvalidStatus, doc.Status.Indicator, strings.Join(indicators, ", "))
	}
	t, err := time.Parse(time.RFC3339, *doc.Page.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("%w: page.updated_at %q is not an RFC 3339 time", ErrInvalidStatus, *doc.Page.UpdatedAt)
	}
	return &StatusFile{PageName: doc.Page.Name, UpdatedAt: t, Indicator: doc.Status.Indicator, Description: doc.Status.Description}, nil
}
