package migrate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/history"
)

// Summary is what Write wrote.
type Summary struct {
	Components, Incidents, Maintenance, Results int
	Notes                                       []Note
	// Files are the written paths, relative to the site folder.
	Files []string
}

// Check validates a staged site folder before it is moved into place; a
// failing Check leaves the site folder as it was.
type Check func(ctx context.Context, staged string) error

// Write writes s as a herald site into dir: herald.yaml, incidents/<slug>.md
// and, when s has results, the history store. It writes all or nothing:
// everything is staged in a temporary folder inside dir, checked by each
// of checks, and only then moved into place. Without force, an existing
// file is an error and nothing is written; with force it is replaced.
func Write(ctx context.Context, dir string, s *Site, force bool, checks ...Check) (Summary, error) {
	sum := Summary{Components: len(s.Components), Results: len(s.Results), Notes: s.Unmapped}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return sum, fmt.Errorf("create site folder: %w", err)
		}
		// A failure leaves no trace, not even the folder; Remove keeps
		// it if anything else has been put there since.
		defer func() {
			if sum.Files == nil {
				os.Remove(dir)
			}
		}()
	}
	stage, err := os.MkdirTemp(dir, ".herald-migrate-")
	if err != nil {
		return sum, fmt.Errorf("create staging folder: %w", err)
	}
	defer os.RemoveAll(stage)

	files, err := stageSite(ctx, stage, s, &sum)
	if err != nil {
		return sum, err
	}
	for _, check := range checks {
		if err := check(ctx, stage); err != nil {
			return sum, err
		}
	}
	// Every path below goes through root, which refuses one that leaves
	// dir: an incidents/ or data/ that links elsewhere would otherwise have
	// the files written, or with force replaced, outside the site.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return sum, fmt.Errorf("open site folder: %w", err)
	}
	defer root.Close()
	for _, f := range files {
		_, err := root.Lstat(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return sum, fmt.Errorf("write %s: %w (migrate writes only inside the site folder)", filepath.Join(dir, f), err)
		case !force:
			return sum, fmt.Errorf("write %s: already exists (use -force to replace it)", filepath.Join(dir, f))
		}
	}
	if err := moveAll(root, filepath.Base(stage), files); err != nil {
		return sum, err
	}
	sum.Files = files
	return sum, nil
}

// stageSite writes the site into stage and returns the files written,
// relative to it.
func stageSite(ctx context.Context, stage string, s *Site, sum *Summary) ([]string, error) {
	cfgSrc, err := marshalConfig(s)
	if err != nil {
		return nil, err
	}
	files := []string{config.FileName}
	if err := os.WriteFile(filepath.Join(stage, config.FileName), cfgSrc, 0o644); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	if len(s.Incidents) > 0 {
		if err := os.Mkdir(filepath.Join(stage, "incidents"), 0o755); err != nil {
			return nil, fmt.Errorf("create incidents folder: %w", err)
		}
	}
	seen := map[string]bool{}
	for i := range s.Incidents {
		in := &s.Incidents[i]
		key := strings.ToLower(in.Slug)
		if in.Slug == "" || strings.ContainsAny(in.Slug, `/\`) || strings.HasPrefix(in.Slug, ".") || seen[key] {
			return nil, fmt.Errorf("write incident %q: the slug is empty, a path, hidden or used twice", in.Slug)
		}
		seen[key] = true
		src, err := marshalIncident(in)
		if err != nil {
			return nil, err
		}
		rel := filepath.Join("incidents", in.Slug+".md")
		if err := os.WriteFile(filepath.Join(stage, rel), src, 0o644); err != nil {
			return nil, fmt.Errorf("write incident: %w", err)
		}
		files = append(files, rel)
		if in.Kind == KindMaintenance {
			sum.Maintenance++
		} else {
			sum.Incidents++
		}
	}
	if len(s.Results) == 0 {
		return files, nil
	}
	cfg, err := config.Parse(stage, cfgSrc)
	if err != nil {
		return nil, fmt.Errorf("parse the written config: %w", err)
	}
	// As herald import opens it: a result for a component the site lacks
	// is an error, not a silent orphan.
	store, err := history.Open(cfg.HistoryPath(), history.ImportOptions(cfg))
	if err != nil {
		return nil, err
	}
	if err := store.Record(ctx, s.Results); err != nil {
		store.Close()
		return nil, fmt.Errorf("import results: %w", err)
	}
	if err := store.Close(); err != nil {
		return nil, fmt.Errorf("close history: %w", err)
	}
	rel, err := filepath.Rel(stage, cfg.HistoryPath())
	if err != nil {
		return nil, fmt.Errorf("locate history: %w", err)
	}
	// SQLite may leave -wal and -shm files next to the store; the store
	// is only whole with them.
	matches, _ := filepath.Glob(filepath.Join(stage, rel) + "*")
	for _, m := range matches {
		r, _ := filepath.Rel(stage, m)
		files = append(files, r)
	}
	return files, nil
}

// moveAll renames each staged file, from the folder stage of root, into
// place in root. A file it replaces is first set aside in the staging
// folder, so that a failure part way can put everything back as it was.
func moveAll(root *os.Root, stage string, files []string) error {
	type done struct{ rel, aside string }
	var moved []done
	var created []string // folders made in root, deepest last
	undo := func() {
		for _, m := range slices.Backward(moved) {
			root.Remove(m.rel)
			if m.aside != "" {
				root.Rename(m.aside, m.rel)
			}
		}
		for _, d := range slices.Backward(created) {
			root.Remove(d)
		}
	}
	aside := filepath.Join(stage, ".replaced")
	for _, rel := range files {
		for _, d := range missingDirs(root, filepath.Dir(rel)) {
			if err := root.Mkdir(d, 0o755); err != nil {
				undo()
				return fmt.Errorf("create folder: %w", err)
			}
			created = append(created, d)
		}
		m := done{rel: rel}
		if _, err := root.Lstat(rel); err == nil {
			m.aside = filepath.Join(aside, rel)
			if err := root.MkdirAll(filepath.Dir(m.aside), 0o755); err != nil {
				undo()
				return fmt.Errorf("set aside %s: %w", rel, err)
			}
			if err := root.Rename(rel, m.aside); err != nil {
				undo()
				return fmt.Errorf("set aside %s: %w", rel, err)
			}
		}
		if err := root.Rename(filepath.Join(stage, rel), rel); err != nil {
			if m.aside != "" {
				root.Rename(m.aside, rel)
			}
			undo()
			return fmt.Errorf("move into place: %w", err)
		}
		moved = append(moved, m)
	}
	return nil
}

// missingDirs lists the folders of rel (in root) that do not exist yet,
// outermost first.
func missingDirs(root *os.Root, rel string) []string {
	var missing []string
	for d := rel; d != "." && d != string(filepath.Separator); d = filepath.Dir(d) {
		if _, err := root.Lstat(d); errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, d)
		}
	}
	slices.Reverse(missing)
	return missing
}

type yamlConfig struct {
	Title       string          `yaml:"title"`
	BaseURL     string          `yaml:"base_url,omitempty"`
	Description string          `yaml:"description,omitempty"`
	Timezone    string          `yaml:"timezone,omitempty"`
	Components  []yamlComponent `yaml:"components,omitempty"`
}

type yamlComponent struct {
	ID          string     `yaml:"id"`
	Name        string     `yaml:"name"`
	Group       string     `yaml:"group,omitempty"`
	Description string     `yaml:"description,omitempty"`
	Probe       *yaml.Node `yaml:"probe,omitempty"`
}

func marshalConfig(s *Site) ([]byte, error) {
	c := yamlConfig{Title: s.Title, BaseURL: s.BaseURL, Description: s.Description, Timezone: s.Timezone}
	for _, comp := range s.Components {
		yc := yamlComponent{ID: comp.ID, Name: comp.Name, Group: comp.Group, Description: comp.Description}
		if comp.Probe != "" {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(comp.Probe), &doc); err != nil || len(doc.Content) != 1 {
				return nil, fmt.Errorf("write component %s: its probe is not YAML: %v", comp.ID, err)
			}
			yc.Probe = doc.Content[0]
		}
		c.Components = append(c.Components, yc)
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("marshal config: %w", err)
	}
	return append([]byte("# Written by herald migrate; see docs/config.md for every key.\n"), out...), nil
}

type yamlIncident struct {
	Title          string `yaml:"title"`
	Type           string `yaml:"type,omitempty"`
	Components     any    `yaml:"components,omitempty"`
	Impact         string `yaml:"impact,omitempty"`
	Started        string `yaml:"started,omitempty"`
	Resolved       string `yaml:"resolved,omitempty"`
	ScheduledStart string `yaml:"scheduled_start,omitempty"`
	ScheduledEnd   string `yaml:"scheduled_end,omitempty"`
}

// timeText is an RFC 3339 time with the source's own offset, which
// herald reads as that exact instant whatever the site's zone. It is cut
// to the minute like the update headings, so that an update in the same
// minute as the start is not before it.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Truncate(time.Minute).Format(time.RFC3339)
}

func marshalIncident(in *Incident) ([]byte, error) {
	fm := yamlIncident{Title: in.Title, Impact: in.Impact}
	if in.Kind == KindMaintenance {
		fm.Type = string(KindMaintenance)
		ids := make([]string, 0, len(in.Components))
		for id := range in.Components {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if len(ids) > 0 {
			fm.Components = ids
		}
		fm.ScheduledStart, fm.ScheduledEnd = timeText(in.ScheduledStart), timeText(in.ScheduledEnd)
	} else {
		fm.Components = incidentComponents(in.Components)
		fm.Started, fm.Resolved = timeText(in.Started), timeText(in.Resolved)
	}
	head, err := yaml.Marshal(fm)
	if err != nil {
		return nil, fmt.Errorf("marshal incident %s: %w", in.Slug, err)
	}
	var b strings.Builder
	b.WriteString("---\n")
	b.Write(head)
	b.WriteString("---\n")
	if sum := strings.TrimSpace(in.Summary); sum != "" {
		b.WriteString(sum + "\n")
	}
	updates := slices.Clone(in.Updates)
	slices.SortStableFunc(updates, func(a, b Update) int { return b.Time.Compare(a.Time) })
	for _, u := range updates {
		// A numeric offset keeps the update's zone; herald's headings
		// have minutes, so seconds are dropped.
		fmt.Fprintf(&b, "\n## %s — %s\n", u.Time.Format("2006-01-02 15:04 -07:00"), statusWord(u.Status))
		if body := strings.TrimSpace(u.Body); body != "" {
			b.WriteString(body + "\n")
		}
	}
	return []byte(b.String()), nil
}

// statusWord is a status as a heading shows it: "in_progress" → "In progress".
func statusWord(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// incidentComponents is an incident's components as front matter: a map
// of id to status, or, where the source named the components but not
// their status (""), the list form, whose status comes from the impact
// (docs/incidents.md). A status missing beside others takes the worst of
// them. nil for none.
func incidentComponents(cs map[string]string) any {
	if len(cs) == 0 {
		return nil
	}
	var named []string
	worst := ""
	for id, st := range cs {
		if st == "" {
			named = append(named, id)
		} else if statusRank[st] > statusRank[worst] {
			worst = st
		}
	}
	if worst == "" {
		slices.Sort(named)
		return named
	}
	out := maps.Clone(cs)
	for _, id := range named {
		out[id] = worst
	}
	return out
}

// statusRank orders the component statuses from none to the worst.
var statusRank = map[string]int{"": 0, "operational": 1, "under_maintenance": 2, "degraded_performance": 3, "partial_outage": 4, "major_outage": 5}
