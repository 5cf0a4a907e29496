// Package config loads and validates a site's herald.yaml.
//
// Every key is documented in docs/config.md; this file and that table change
// together. Unknown keys are errors, so a typo never passes silently, and
// every error names its line and column.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/strictyaml"
)

// FileName is the config file's name inside a site folder.
const FileName = "herald.yaml"

// Defaults for keys left out of herald.yaml.
const (
	DefaultHistoryDays = 90
	DefaultFeedItems   = 50
	DefaultPublishDir  = "public"
	DefaultHistoryPath = "data/history.db"
	DefaultRetention   = 14 * 24 * time.Hour
	DefaultPartial     = 0.3
	DefaultMinCoverage = 0.5
	DefaultDebounce    = 100 * time.Millisecond
	DefaultEvery       = time.Minute
	DefaultStaleAfter  = 10 * time.Minute
	DefaultNotifyState = "data/notify.json"
)

// Config is a site's herald.yaml after validation and defaults.
type Config struct {
	Title       string      `yaml:"title"`
	BaseURL     string      `yaml:"base_url"`
	Description string      `yaml:"description"`
	Timezone    string      `yaml:"timezone"`
	Links       []Link      `yaml:"links"`
	Components  []Component `yaml:"components"`
	History     History     `yaml:"history"`
	Uptime      Uptime      `yaml:"uptime"`
	Publish     Publish     `yaml:"publish"`
	Feeds       Feeds       `yaml:"feeds"`
	Markdown    Markdown    `yaml:"markdown"`
	Watch       Watch       `yaml:"watch"`
	Notify      Notify      `yaml:"notify"`
	Subscribe   Subscribe   `yaml:"subscribe"`
	// StaleAfter is how old a published page may be before its own script
	// warns readers that the status may be out of date.
	StaleAfter Duration `yaml:"stale_after"`
	// Locale is the BCP 47 tag of the site's language (docs/i18n.md).
	Locale string `yaml:"locale"`
	// Languages are the site's languages, its locale first: the first
	// is built at the site's root, each other one under <tag>/.
	Languages []string `yaml:"languages"`

	// Dir is the site folder every relative path is resolved against.
	Dir string `yaml:"-"`
	// Location is Timezone loaded.
	Location *time.Location `yaml:"-"`
	// Catalogs are herald's words with the site's i18n/ laid over them;
	// Catalogs.For(Locale) is the site's language.
	Catalogs *i18n.Catalogs `yaml:"-"`
}

// Link is an entry of the page's header navigation.
type Link struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// Component is one thing whose status the page shows.
type Component struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Group       string `yaml:"group"`
	Description string `yaml:"description"`
	// ProbeYAML is the `probe:` mapping as written, for its positions;
	// Probe is it validated, nil when the component has no probe. Nothing
	// of either may reach the rendered site (they hold URLs and secrets).
	ProbeYAML yaml.Node `yaml:"probe"`
	Probe     *Probe    `yaml:"-"`
	// Prometheus is the series selector for this component when
	// history.source is prometheus, e.g. `probe_success{instance="api"}`.
	Prometheus string `yaml:"prometheus"`
	// SLO is the component's service level objective; nil when it has
	// none.
	SLO *SLO `yaml:"slo"`
}

// HasProbe reports whether the component is monitored automatically.
func (c *Component) HasProbe() bool { return c.Probe != nil }

// Monitored reports whether the site learns the component's state from
// probes: its own probe, or a Prometheus series when history.source is
// prometheus.
func (c *Config) Monitored(comp *Component) bool {
	return comp.HasProbe() || c.History.Source == "prometheus" && comp.Prometheus != ""
}

// History configures the uptime history shown on the page.
type History struct {
	Days int `yaml:"days"`
	// Path is the embedded SQLite store.
	Path string `yaml:"path"`
	// Retention is how long raw probe results are kept; roll-ups are kept
	// for at least Days.
	Retention Duration `yaml:"retention"`
	// Source is where probe history comes from: sqlite (the embedded
	// store) or prometheus.
	Source     string     `yaml:"source"`
	Prometheus Prometheus `yaml:"prometheus"`
	// PartialWeight is how much of partial_outage time counts as down.
	PartialWeight *float64 `yaml:"partial_weight"`
}

// Weight is PartialWeight, or its default where no config was loaded.
func (h History) Weight() float64 {
	if h.PartialWeight == nil {
		return DefaultPartial
	}
	return *h.PartialWeight
}

// Uptime configures the uptime figures.
type Uptime struct {
	// MinCoverageYAML is `min_coverage` as written, for its position;
	// MinCoverage is it read, as a fraction 0..1: below it, a probed
	// component's uptime over a window is not shown.
	MinCoverageYAML yaml.Node `yaml:"min_coverage"`
	MinCoverage     float64   `yaml:"-"`
}

// Prometheus locates a Prometheus-compatible query API.
type Prometheus struct {
	URL string `yaml:"url"`
}

// Publish configures where the built site goes.
type Publish struct {
	Dir string `yaml:"dir"`
	// Command is run by a shell after each successful swap, with
	// HERALD_PUBLIC_DIR set to the published folder.
	Command string `yaml:"command"`
}

// Watch configures rebuilding on change.
type Watch struct {
	Debounce Duration `yaml:"debounce"`
	Every    Duration `yaml:"every"`
}

// Subscribe configures the page that lists every way to follow the site.
type Subscribe struct {
	// EmailURL is the sign-up form of a mailing list that carries the
	// site's notices: herald never stores readers' addresses.
	EmailURL string `yaml:"email_url"`
}

// Feeds configures the RSS, Atom and JSON feeds.
type Feeds struct {
	Items int `yaml:"items"`
}

// Markdown configures how incident bodies are rendered.
type Markdown struct {
	// UnsafeHTML passes raw HTML in incident bodies through. Off by default:
	// incident files may come from many hands, and the page is public.
	UnsafeHTML bool `yaml:"unsafe_html"`
}

// Component returns the component with the given id, or nil.
func (c *Config) Component(id string) *Component {
	for i := range c.Components {
		if c.Components[i].ID == id {
			return &c.Components[i]
		}
	}
	return nil
}

// ComponentIDs lists the ids in config order, for error messages.
func (c *Config) ComponentIDs() []string {
	ids := make([]string, len(c.Components))
	for i, comp := range c.Components {
		ids[i] = comp.ID
	}
	return ids
}

// HistoryPath is the embedded store's file.
func (c *Config) HistoryPath() string { return filepath.Join(c.Dir, c.History.Path) }

// ReportRecordName is the file, beside the history store, in which the
// commands that publish keep each closed month's published figures
// (docs/reports.md).
const ReportRecordName = "reports.json"

// reportRecord is the record of published reports, relative to the site.
func (c *Config) reportRecord() string {
	return filepath.Join(filepath.Dir(c.History.Path), ReportRecordName)
}

// ReportRecordPath is the record of published reports.
func (c *Config) ReportRecordPath() string { return filepath.Join(c.Dir, c.reportRecord()) }

// PublishDir is the absolute output folder.
func (c *Config) PublishDir() string { return filepath.Join(c.Dir, c.Publish.Dir) }

// Load reads dir/herald.yaml. A returned error is a diag.List or a
// *diag.Error when the file is wrong, and a plain error when it cannot be read.
func Load(dir string) (*Config, error) {
	src, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, diag.Errorf(FileName, 1, 1, "no %s in %s", FileName, dir).WithFix("run herald in a site folder, or pass -site DIR")
	}
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(dir, src)
}

var (
	slugRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`) })
	nonSlugRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9]+`) })
)

// IsSlug reports whether s is lowercase letters and digits joined by hyphens.
func IsSlug(s string) bool { return slugRE().MatchString(s) }

// MaxSlug is the longest slug Slugify makes, in bytes: a file name made
// from it stays far below every file system's limit, and its URL readable.
const MaxSlug = 60

// Slugify turns a title or name into a slug: "Feed API down!" →
// "feed-api-down", "Élevé" → "eleve". A slug longer than MaxSlug is cut
// between words.
func Slugify(s string) string {
	slug := strings.Trim(nonSlugRE().ReplaceAllString(strings.ToLower(latin(s)), "-"), "-")
	if len(slug) <= MaxSlug {
		return slug
	}
	if i := strings.LastIndexByte(slug[:MaxSlug+1], '-'); i > 0 {
		return slug[:i]
	}
	return slug[:MaxSlug]
}

// latin spells Latin letters without their diacritics. Decomposed, "é" is
// "e" and a combining accent, which is dropped; the letters that do not
// decompose that way are spelled out.
func latin(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if spelt, ok := latinLetters[r]; ok {
			b.WriteString(spelt)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var latinLetters = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h",
}

// Parse validates src as the herald.yaml of the site folder dir.
func Parse(dir string, src []byte) (*Config, error) {
	c := &Config{Dir: dir}
	doc, err := strictyaml.Decode(FileName, src, 0, c)
	if doc == nil {
		return nil, err
	}
	// A misspelt key or a value of the wrong kind is one problem among
	// others: the rest of the file is still checked, in the same run.
	var decodeErrs diag.List
	decodeErrs.Add(FileName, err)
	var errs diag.List
	// Text that every page shows: a control character in it (written as
	// "\e" in YAML) would make the HTML and the feeds invalid.
	text := map[string]string{"title": c.Title, "description": c.Description}
	for i, l := range c.Links {
		text[fmt.Sprintf("links[%d].name", i)] = l.Name
	}
	for i, comp := range c.Components {
		text[fmt.Sprintf("components[%d].name", i)] = comp.Name
		text[fmt.Sprintf("components[%d].description", i)] = comp.Description
		text[fmt.Sprintf("components[%d].group", i)] = comp.Group
	}
	for _, path := range slices.Sorted(maps.Keys(text)) {
		if i := strings.IndexFunc(text[path], isControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(text[path][i:])
			errs = append(errs, doc.Errorf(path, "%s holds the control character U+%04X", path, r).WithFix("remove it; pages and feeds cannot show it"))
		}
	}
	if strings.TrimSpace(c.Title) == "" {
		errs = append(errs, doc.Errorf("title", "missing title").WithFix("add `title: Example Status`"))
	}
	switch u, err := url.Parse(c.BaseURL); {
	case c.BaseURL == "" || err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		errs = append(errs, doc.Errorf("base_url", "base_url must be an absolute http(s) URL, found %q", c.BaseURL).WithFix("feeds and canonical links need it, e.g. `base_url: https://status.example.com/`"))
	case u.User != nil || u.ForceQuery || u.RawQuery != "" || u.Fragment != "":
		// Every absolute URL of the site starts with it: a query or a
		// fragment would swallow the paths after it, and a user name or
		// password would be published on every page.
		errs = append(errs, doc.Errorf("base_url", "base_url must be a plain http(s) URL, without a user, ?query or #fragment").WithFix("e.g. `base_url: https://status.example.com/`"))
	default:
		// Percent-encoded as URLs are (a space becomes %20), with a
		// trailing slash, so that paths can be appended to it.
		c.BaseURL = u.String()
		if !strings.HasSuffix(c.BaseURL, "/") {
			c.BaseURL += "/"
		}
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if loc, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "Local" {
		errs = append(errs, doc.Errorf("timezone", "unknown timezone %q", c.Timezone).WithFix("use an IANA name such as Europe/Berlin or America/Los_Angeles"))
	} else {
		c.Location = loc
	}
	for i, l := range c.Links {
		p := fmt.Sprintf("links[%d]", i)
		if l.Name == "" {
			errs = append(errs, doc.Errorf(p, "link without a name").WithFix("add `name:`"))
		}
		if u, err := url.Parse(l.URL); err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
			errs = append(errs, doc.Errorf(p+".url", "link url must be an absolute http(s) or mailto URL, found %q", l.URL))
		}
	}
	if len(c.Components) == 0 {
		errs = append(errs, doc.Errorf("components", "no components").WithFix("list what the page reports on, e.g. `components: [{id: api, name: API}]`"))
	}
	seen := map[string]int{}
	for i, comp := range c.Components {
		p := fmt.Sprintf("components[%d]", i)
		switch {
		case comp.ID == "":
			errs = append(errs, doc.Errorf(p, "component without an id").WithFix("add `id:`, a slug such as `api`"))
		case !IsSlug(comp.ID):
			errs = append(errs, doc.Errorf(p+".id", "component id %q is not a slug", comp.ID).WithFix("use lowercase letters, digits and hyphens, e.g. %q", Slugify(comp.ID)))
		default:
			if j, dup := seen[comp.ID]; dup {
				line, _ := doc.Pos(fmt.Sprintf("components[%d].id", j))
				errs = append(errs, doc.Errorf(p+".id", "duplicate component id %q", comp.ID).WithFix("line %d already uses it", line))
			}
			seen[comp.ID] = i
		}
		if strings.TrimSpace(comp.Name) == "" {
			errs = append(errs, doc.Errorf(p, "component %q without a name", comp.ID).WithFix("add `name:`"))
		}
	}
	switch {
	case !doc.Has("history.days"):
		c.History.Days = DefaultHistoryDays
	case c.History.Days < 1 || c.History.Days > 3650:
		errs = append(errs, doc.Errorf("history.days", "history.days must be between 1 and 3650, found %d", c.History.Days))
	}
	// After history.days: an SLO's window must fit in the history read.
	for i := range c.Components {
		errs = append(errs, c.parseSLO(doc, fmt.Sprintf("components[%d].slo", i), &c.Components[i])...)
	}
	switch {
	case !doc.Has("feeds.items"):
		c.Feeds.Items = DefaultFeedItems
	case c.Feeds.Items < 1:
		errs = append(errs, doc.Errorf("feeds.items", "feeds.items must be at least 1, found %d", c.Feeds.Items))
	}
	if c.History.Path == "" {
		c.History.Path = DefaultHistoryPath
	}
	if !filepath.IsLocal(c.History.Path) {
		errs = append(errs, doc.Errorf("history.path", "history.path must be inside the site folder, found %q", c.History.Path))
	}
	if c.History.Retention == 0 {
		c.History.Retention = Duration(DefaultRetention)
	}
	switch c.History.Source {
	case "":
		c.History.Source = "sqlite"
	case "sqlite":
	case "prometheus":
		if u, err := url.Parse(c.History.Prometheus.URL); err != nil || !u.IsAbs() {
			// Not echoed: it may hold a password.
			errs = append(errs, doc.Errorf("history.prometheus.url", "history.source is prometheus, so history.prometheus.url must be an absolute URL").WithFix("e.g. `url: http://127.0.0.1:9090`"))
		}
	default:
		errs = append(errs, doc.Errorf("history.source", "unknown history.source %q", c.History.Source).WithFix("use sqlite or prometheus"))
	}
	if c.History.PartialWeight == nil {
		w := DefaultPartial
		c.History.PartialWeight = &w
	} else if w := *c.History.PartialWeight; w < 0 || w > 1 {
		errs = append(errs, doc.Errorf("history.partial_weight", "history.partial_weight must be between 0 and 1, found %g", w))
	}
	c.Uptime.MinCoverage = DefaultMinCoverage
	if n := doc.Node("uptime.min_coverage"); n != nil {
		if v, ok := ParsePercent(n.Value); ok && n.Kind == yaml.ScalarNode {
			c.Uptime.MinCoverage = v
		} else {
			errs = append(errs, doc.Errorf("uptime.min_coverage", "uptime.min_coverage must be a percentage from 0%% to 100%%, found %q", n.Value).WithFix("write it with its sign, e.g. `min_coverage: 50%%`"))
		}
	}
	if c.Watch.Debounce == 0 {
		c.Watch.Debounce = Duration(DefaultDebounce)
	}
	if c.Watch.Every == 0 {
		c.Watch.Every = Duration(DefaultEvery)
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = Duration(DefaultStaleAfter)
	}
	if c.Notify.State == "" {
		c.Notify.State = DefaultNotifyState
	}
	if !filepath.IsLocal(c.Notify.State) {
		errs = append(errs, doc.Errorf("notify.state", "notify.state must be inside the site folder, found %q", c.Notify.State))
	}
	for i, w := range c.Notify.Webhooks {
		p := fmt.Sprintf("notify.webhooks[%d]", i)
		switch {
		case w.Format == "":
			c.Notify.Webhooks[i].Format = "json"
		case !slices.Contains(WebhookFormats, w.Format):
			errs = append(errs, doc.Errorf(p+".format", "unknown webhook format %q", w.Format).WithFix("use one of %s", strings.Join(WebhookFormats, ", ")))
		}
		errs = append(errs, checkWebhook(doc, p, w)...)
		errs = append(errs, c.checkFilter(doc, p, w.Components, w.Events, w.MinImpact)...)
	}
	for i := range c.Notify.Email {
		p := fmt.Sprintf("notify.email[%d]", i)
		errs = append(errs, checkEmail(doc, p, &c.Notify.Email[i])...)
		e := c.Notify.Email[i]
		errs = append(errs, c.checkFilter(doc, p, e.Components, e.Events, e.MinImpact)...)
	}
	if c.Subscribe.EmailURL != "" {
		// A reader's browser opens it from the page: only https, so that
		// neither a sign-up over plain http nor a javascript: link is
		// published. A user or password in it would be published too.
		if u, err := url.Parse(c.Subscribe.EmailURL); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			errs = append(errs, doc.Errorf("subscribe.email_url", "subscribe.email_url must be an absolute https URL without a user or password").WithFix("give the address of the mailing list's sign-up page, e.g. `email_url: https://lists.example.com/subscribe/status`"))
		}
	}
	if c.Publish.Dir == "" {
		c.Publish.Dir = DefaultPublishDir
	}
	if !filepath.IsLocal(c.Publish.Dir) {
		errs = append(errs, doc.Errorf("publish.dir", "publish.dir must be a folder inside the site folder, found %q", c.Publish.Dir).WithFix("use a relative path such as `public`; pass -out to build elsewhere"))
	} else if reason, err := c.outputConflict(c.publishPath()); err != nil {
		errs = append(errs, doc.Errorf("publish.dir", "check publish.dir %q: %v", c.Publish.Dir, err))
	} else if reason != "" {
		errs = append(errs, doc.Errorf("publish.dir", "publish.dir %q %s", c.Publish.Dir, reason).WithFix("publish to a folder of its own, such as `public`: herald replaces it with every build"))
	}
	errs = append(errs, c.parseProbes()...)
	errs = append(errs, c.checkLocale(doc)...)
	// A value that did not decode was left empty, and checking it again
	// would report the same place twice ("missing title" after "title
	// must be text").
	errs = slices.DeleteFunc(errs, func(e *diag.Error) bool {
		return slices.ContainsFunc(decodeErrs, func(d *diag.Error) bool { return d.Line == e.Line && d.Col == e.Col })
	})
	errs = append(decodeErrs, errs...)
	// The site's catalogs are files of their own, reported as such, and
	// in the same run as herald.yaml.
	c.Catalogs, err = i18n.Load(dir, c.tags()...)
	errs.Add(i18n.Dir, err)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return c, nil
}

// isControl reports the characters that HTML and XML cannot carry in
// text: C0 and C1 controls but tab and line breaks, and DEL.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r < 0xa0
}
