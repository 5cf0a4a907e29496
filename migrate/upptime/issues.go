package upptime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
)

// issue is one element of `gh issue list --json
// number,title,body,createdAt,closedAt,labels,comments`.
type issue struct {
	Number    int     `json:"number"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	CreatedAt string  `json:"createdAt"`
	ClosedAt  *string `json:"closedAt"`
	Labels    []struct {
		Name string `json:"name"`
	} `json:"labels"`
	Comments []struct {
		Body      string `json:"body"`
		CreatedAt string `json:"createdAt"`
	} `json:"comments"`
}

// The titles Upptime gives the issues it opens (uptime-monitor's
// src/update.ts): "🛑 NAME is down" and "⚠️ NAME has degraded
// performance".
const (
	downPrefix      = "🛑 "
	downSuffix      = " is down"
	degradedPrefix  = "⚠️ "
	degradedSuffix  = " has degraded performance"
	resolvedComment = "**Resolved:**"
)

// closeSlack is how far from closedAt a comment still closes the issue:
// Upptime comments, then closes, a few seconds later; GitHub's "Close
// with comment" does both at once.
const closeSlack = time.Minute

// readIssues reads the issues file into incidents, one per issue. Every
// issue with a bad time is reported in one run.
func (r *reader) readIssues(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read issues: %w", err)
	}
	// A json.Decoder's error offsets count from no fixed place, but
	// Unmarshal's count from the start of src; the Decoder then gives each
	// issue's place.
	if err := json.Unmarshal(src, new([]issue)); err != nil {
		return jsonError(file, src, err)
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	if _, err := dec.Token(); err != nil {
		return jsonError(file, src, err)
	}
	var errs diag.List
	seen := map[int]bool{}
	for dec.More() {
		line, col := migrate.Position(src, start(src, dec.InputOffset()))
		var is issue
		if err := dec.Decode(&is); err != nil {
			return jsonError(file, src, err)
		}
		if seen[is.Number] {
			r.note(file, line, fmt.Sprintf("issue #%d is listed twice", is.Number), "migrated it once")
			continue
		}
		seen[is.Number] = true
		errs.Add(file, r.issue(file, line, col, &is))
	}
	return errs.Err()
}

// issue turns one issue into an incident.
func (r *reader) issue(file string, line, col int, is *issue) error {
	errorf := func(format string, args ...any) error {
		return diag.Errorf(file, line, col, "issue #%d: "+format, append([]any{is.Number}, args...)...).
			WithFix("give the JSON gh writes, with RFC 3339 times")
	}
	started, err := time.Parse(time.RFC3339, is.CreatedAt)
	if err != nil {
		return errorf("createdAt %q is not a time", is.CreatedAt)
	}
	var closed time.Time
	if is.ClosedAt != nil && *is.ClosedAt != "" {
		if closed, err = time.Parse(time.RFC3339, *is.ClosedAt); err != nil {
			return errorf("closedAt %q is not a time", *is.ClosedAt)
		}
		// Go's zero time, as a Go program may write an open issue's
		// closedAt instead of null, leaves it open too.
		if !closed.IsZero() && closed.Before(started) {
			r.note(file, line, fmt.Sprintf("issue #%d was closed before it was opened", is.Number), "resolved it when it was opened")
			closed = started
		}
	}
	in := migrate.Incident{
		Title:      is.Title,
		Kind:       migrate.KindIncident,
		Components: map[string]string{},
		Started:    started,
		Resolved:   closed,
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = fmt.Sprintf("Issue #%d", is.Number)
		r.note(file, line, fmt.Sprintf("issue #%d has no title", is.Number), fmt.Sprintf("titled it %q", in.Title))
	}
	status := "major_outage"
	if strings.HasSuffix(is.Title, degradedSuffix) {
		status = "degraded_performance"
	}
	id := r.component(is)
	if id == "" {
		r.note(file, line, fmt.Sprintf("issue #%d has no label naming a site, nor a title that does", is.Number), "migrated it with no component")
	} else {
		in.Components[id] = status
	}
	// The date keeps the folder in order and the number the slug
	// unique and traceable to the issue.
	name := id
	if name == "" {
		name = config.Slugify(is.Title)
	}
	in.Slug = strings.Join(slices.DeleteFunc([]string{started.Format(time.DateOnly), name, "issue", strconv.Itoa(is.Number)}, func(s string) bool { return s == "" }), "-")

	in.Updates = append(in.Updates, migrate.Update{Time: started, Status: "investigating", Body: r.markdown(file, line, is.Number, is.Body)})
	resolved := false
	for _, c := range is.Comments {
		t, err := time.Parse(time.RFC3339, c.CreatedAt)
		if err != nil {
			return errorf("a comment's createdAt %q is not a time", c.CreatedAt)
		}
		if t.Before(started) {
			r.note(file, line, fmt.Sprintf("issue #%d has a comment made before the issue", is.Number), "dated it when the issue was opened")
			t = started
		}
		st := "investigating"
		switch {
		case strings.HasPrefix(strings.TrimSpace(c.Body), resolvedComment),
			!closed.IsZero() && t.After(closed.Add(-closeSlack)) && !t.After(closed.Add(closeSlack)):
			st, resolved = "resolved", true
		case !closed.IsZero() && t.After(closed):
			st = "postmortem"
		}
		in.Updates = append(in.Updates, migrate.Update{Time: t, Status: st, Body: r.markdown(file, line, is.Number, c.Body)})
	}
	if !closed.IsZero() && !resolved {
		in.Updates = append(in.Updates, migrate.Update{Time: closed, Status: "resolved"})
	}
	r.site.Incidents = append(r.site.Incidents, in)
	return nil
}

// markdown is an issue's or comment's Markdown as an update's text: with
// the CRLF line ends of text typed on github.com made LF, like the rest of
// the file, and with no level-2 heading, which would start a herald
// update: an ATX one (## Title) is made ###, and a setext underline
// (Title, then ---) is set off by a blank line, so that it is a rule under
// a paragraph. Fenced code is left alone.
func (r *reader) markdown(file string, line, number int, body string) string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	lines := strings.Split(body, "\n")
	fence := ""
	changed := false
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
		case indent > 3:
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		case t == "##" || strings.HasPrefix(t, "## ") || strings.HasPrefix(t, "##\t"):
			lines[i] = l[:indent] + "#" + t
			changed = true
		case i > 0 && setextRE().MatchString(t) && strings.TrimSpace(lines[i-1]) != "" && !blockRE().MatchString(lines[i-1]):
			lines[i] = "\n" + l
			changed = true
		}
	}
	if !changed {
		return body
	}
	r.note(file, line, fmt.Sprintf("issue #%d has a level-2 heading, which would start a herald update", number), "made it ### (or, under a --- line, a paragraph)")
	return strings.Join(lines, "\n")
}

var (
	// setextRE is a setext underline of a level-2 heading.
	setextRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-+\s*$`) })
	// blockRE starts a line that such an underline does not make a
	// heading: a list item, a quote, a heading, a table row, a fence.
	blockRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^ {0,3}(?:[#>*+|-]|\d+[.)](?:\s|$)|` + "```" + `|~~~|\s)`)
	})
)

// component is the id of the site an issue is about: the one its labels
// name by Upptime slug (Upptime labels its issues "status" and the
// slug), else the one its title names as Upptime writes it.
func (r *reader) component(is *issue) string {
	for _, l := range is.Labels {
		if id, ok := r.bySlug[l.Name]; ok {
			return id
		}
	}
	name := is.Title
	for _, affix := range [][2]string{{downPrefix, downSuffix}, {degradedPrefix, degradedSuffix}} {
		if s, ok := strings.CutPrefix(name, affix[0]); ok {
			if s, ok := strings.CutSuffix(s, affix[1]); ok {
				return r.byName[s]
			}
		}
	}
	return ""
}

// jsonError places a decoding error at its line and column.
func jsonError(file string, src []byte, err error) error {
	const fix = "write it with gh issue list --state all --label status --limit 10000 --json number,title,body,createdAt,closedAt,labels,comments"
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := migrate.Position(src, syn.Offset-1)
		return diag.Errorf(file, line, col, "malformed JSON: %v", err).WithFix(fix)
	case errors.As(err, &typ) && typ.Field == "":
		line, col := migrate.Position(src, start(src, 0))
		return diag.Errorf(file, line, col, "not a JSON list of issues").WithFix(fix)
	case errors.As(err, &typ):
		line, col := migrate.Position(src, typ.Offset-1)
		return diag.Errorf(file, line, col, "%s is a JSON %s, not a %s", typ.Field, typ.Value, typ.Type).WithFix(fix)
	}
	return diag.Errorf(file, 1, 1, "malformed JSON: %v", err).WithFix(fix)
}

// start skips the separators after off, to where the next value begins.
func start(src []byte, off int64) int64 {
	for off < int64(len(src)) && strings.IndexByte(", \t\r\n", src[off]) >= 0 {
		off++
	}
	return off
}
