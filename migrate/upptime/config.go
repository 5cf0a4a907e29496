package upptime

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/strictyaml"
)

// timeoutDuration is Upptime's own request timeout (curl's TIMEOUT,
// 30 s): a site that answers in 20 s is up there, and stays up in herald.
// timeout is it as written in herald.yaml.
const timeoutDuration = 30 * time.Second

var timeout = config.FormatDuration(timeoutDuration)

// historyKeys are read by the git-history importer, to parse the commit
// subjects with the repository's own template and prefixes.
var historyKeys = map[string]bool{
	"commitMessages":             true,
	"commitPrefixStatusUp":       true,
	"commitPrefixStatusDown":     true,
	"commitPrefixStatusDegraded": true,
}

// unmappedKeys are the top-level keys herald has no place for, with what
// was done instead. The GitHub Actions plumbing (how Upptime's workflows
// run, commit and talk to GitHub) has no meaning for herald, which runs
// from cron or as a daemon; docs/migrate.md lists these keys.
var unmappedKeys = map[string]string{
	"notifications":              "dropped them; set up notify.webhooks in herald.yaml (docs/notifications.md), whose formats include slack and discord",
	"assignees":                  "dropped them; herald assigns no one",
	"i18n":                       "dropped it; herald's words are in its templates (docs/config.md)",
	"workflowSchedule":           "ignored it (GitHub Actions plumbing); every probe runs every " + config.FormatDuration(Interval),
	"user-agent":                 "ignored it (GitHub Actions plumbing: the user agent of Upptime's GitHub API calls)",
	"PAT":                        "ignored it (GitHub Actions plumbing: a GitHub token); it is not copied anywhere",
	"delay":                      "ignored it (GitHub Actions plumbing: a pause between Upptime's checks); herald spreads its checks over the interval",
	"runner":                     "ignored it (GitHub Actions plumbing)",
	"skipDescriptionUpdate":      "ignored it (GitHub Actions plumbing)",
	"skipTopicsUpdate":           "ignored it (GitHub Actions plumbing)",
	"skipHomepageUpdate":         "ignored it (GitHub Actions plumbing)",
	"skipDeleteIssues":           "ignored it (GitHub Actions plumbing)",
	"skipPoweredByReadme":        "ignored it (GitHub Actions plumbing)",
	"skipGeneratingWebsite":      "ignored it (GitHub Actions plumbing)",
	"summaryStartHtmlComment":    "ignored it (GitHub Actions plumbing: the README summary)",
	"summaryEndHtmlComment":      "ignored it (GitHub Actions plumbing: the README summary)",
	"liveStatusHtmlComment":      "ignored it (GitHub Actions plumbing: the README summary)",
	"customStatusWebsitePackage": "dropped it; herald has its own templates (docs/config.md)",
}

// siteKeys are the keys of a sites[] entry herald has no place for, with
// what was done instead.
var siteKeys = map[string]string{
	"icon":                             "dropped it; herald shows no per-component icon",
	"assignees":                        "dropped them; herald assigns no one",
	"tags":                             "dropped them; herald has no tags",
	"body":                             "dropped the request body; herald's http probe sends none",
	"maxRedirects":                     "dropped it; herald follows up to 10 redirects",
	"verbose":                          "dropped it",
	"ipv6":                             "dropped it; herald connects over IPv4 or IPv6, whichever the name resolves to",
	"__dangerous__insecure":            "dropped it; herald always verifies certificates, so the probe may fail where Upptime's passed",
	"__dangerous__disable_verify_peer": "dropped it; herald always verifies certificates, so the probe may fail where Upptime's passed",
	"__dangerous__disable_verify_host": "dropped it; herald always verifies certificates, so the probe may fail where Upptime's passed",
	"__dangerous__body_down":           "dropped it; herald cannot fail on text that is present (expect.body_regexp can require text)",
	"__dangerous__body_degraded":       "dropped it; herald has no degraded result",
	"__dangerous__body_degraded_if_text_missing": "dropped it; herald has no degraded result",
}

// websiteKeys are the keys of status-website herald has no place for,
// with what was done instead.
var websiteKeys = map[string]string{
	"navbar":         "dropped it; add its links to links: in herald.yaml",
	"introMessage":   "dropped it; put what still matters in description: or an incident",
	"publish":        "ignored it (GitHub Actions plumbing); herald build writes the site, docs/publishing.md",
	"singleCommit":   "ignored it (GitHub Actions plumbing); herald build writes the site, docs/publishing.md",
	"logoUrl":        "dropped it; herald has its own theme",
	"favicon":        "dropped it; herald has its own theme",
	"faviconSvg":     "dropped it; herald has its own theme",
	"theme":          "dropped it; herald has its own theme",
	"themeUrl":       "dropped it; herald has its own theme",
	"css":            "dropped it; herald has its own theme",
	"js":             "dropped it; herald has its own theme",
	"scripts":        "dropped them; herald has its own theme",
	"links":          "dropped them; herald has its own theme",
	"metaTags":       "dropped them; herald has its own theme",
	"robotsText":     "dropped it; herald has its own theme",
	"customHeadHtml": "dropped it; herald has its own theme",
	"customBodyHtml": "dropped it; herald has its own theme",
}

// markRE matches Markdown's inline marks, the text inside in a group: a
// [link](url), **strong**, __strong__, *emphasis* or `code`. A lone _ or
// * is left, as in snake_case.
var markRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)|\*\*(.+?)\*\*|__(.+?)__|\*([^*\s][^*]*)\*|` + "`([^`]*)`")
})

// plain is Markdown text as plain text, its inline marks taken off.
func plain(md string) string {
	return markRE().ReplaceAllStringFunc(md, func(m string) string {
		for _, g := range markRE().FindStringSubmatch(m)[1:] {
			if g != "" {
				return g
			}
		}
		return ""
	})
}

// readConfig reads .upptimerc.yml into a new reader's site. The reader is
// never nil: with an error, the issues can still be read against it, for
// their own errors.
func readConfig(file string) (*reader, error) {
	r := &reader{site: &migrate.Site{}, bySlug: map[string]string{}, byName: map[string]string{}}
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return r, diag.Errorf(file, 1, 1, "no %s: not an Upptime repository", ConfigFile).
			WithFix("give the folder of a clone of the Upptime status repository, the one holding %s", ConfigFile)
	}
	if err != nil {
		return r, fmt.Errorf("read Upptime config: %w", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return r, syntaxError(file, src, err)
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return r, diag.Errorf(file, 1, 1, "not a mapping of keys to values").WithFix("give Upptime's %s, with owner, repo and sites", ConfigFile)
	}
	var errs diag.List
	var sites, website *yaml.Node
	var owner, repo string
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch key := k.Value; {
		case key == "sites":
			sites = v
		case key == "status-website":
			website = v
		case key == "owner":
			owner = v.Value
		case key == "repo":
			repo = v.Value
		case historyKeys[key]:
			r.readMessages(file, key, v, &errs)
		case unmappedKeys[key] != "":
			r.note(file, k.Line, fmt.Sprintf("%s has no herald equivalent", key), unmappedKeys[key])
		default:
			r.note(file, k.Line, fmt.Sprintf("%s is not a key herald knows in Upptime's config", key), "dropped it")
		}
	}
	if sites == nil || sites.Kind != yaml.SequenceNode || len(sites.Content) == 0 {
		line := 1
		if sites != nil {
			line = sites.Line
		}
		errs.Add(file, diag.Errorf(file, line, 1, "no sites").WithFix("list the sites to watch under sites:, each with a name and a url"))
	} else {
		for _, s := range sites.Content {
			r.readSite(file, s, &errs)
		}
	}
	r.readWebsite(file, website, owner, repo, &errs)
	return r, errs.Err()
}

// syntaxError places the YAML parser's err at its line, as herald.yaml's
// own syntax errors are.
func syntaxError(file string, src []byte, err error) error {
	if _, placed := strictyaml.Decode(file, src, 0, &struct{}{}); placed != nil {
		return placed
	}
	return diag.Errorf(file, 1, 1, "invalid YAML: %v", err)
}

// readWebsite takes the title, description and address from
// status-website.
func (r *reader) readWebsite(file string, website *yaml.Node, owner, repo string, errs *diag.List) {
	var cname, baseURL string
	cnameLine := 0
	if website != nil && website.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(website.Content); i += 2 {
			k, v := website.Content[i], website.Content[i+1]
			switch k.Value {
			case "name":
				r.site.Title = v.Value
			case "introTitle":
				r.site.Description = plain(v.Value)
				if r.site.Description != v.Value {
					r.note(file, k.Line, "status-website.introTitle is Markdown, and herald's description plain text", "dropped its formatting")
				}
			case "cname":
				cname, cnameLine = v.Value, v.Line
			case "baseUrl":
				baseURL = v.Value
			default:
				instead, ok := websiteKeys[k.Value]
				if !ok {
					instead = "dropped it"
				}
				r.note(file, k.Line, fmt.Sprintf("status-website.%s has no herald equivalent", k.Value), instead)
			}
		}
	}
	// Upptime publishes to https://<cname><baseUrl>, or without a cname
	// to the repository's GitHub Pages, where baseUrl is /<repo>.
	host, path := cname, "/"
	switch {
	case cname != "":
		if u, err := url.Parse("https://" + cname + "/"); err != nil || u.Host != cname {
			errs.Add(file, diag.Errorf(file, cnameLine, 1, "status-website.cname %q is not a host name", cname).WithFix("write the status page's host, e.g. status.example.com"))
			return
		}
	case owner != "" && repo != "":
		host, path = strings.ToLower(owner)+".github.io", "/"+repo
	default:
		errs.Add(file, diag.Errorf(file, 1, 1, "no status-website.cname, nor owner and repo").WithFix("add status-website.cname with the status page's host, so herald knows its address"))
		return
	}
	if baseURL != "" {
		path = baseURL
	}
	if path = strings.Trim(path, "/"); path != "" {
		path += "/"
	}
	r.site.BaseURL = "https://" + host + "/" + path
	if cname == "" {
		r.note(file, 1, "no status-website.cname", "set base_url to "+r.site.BaseURL+", where Upptime publishes; change it if herald's site will live elsewhere")
	}
	if strings.TrimSpace(r.site.Title) == "" {
		r.site.Title = repo
		if r.site.Title == "" {
			r.site.Title = "Status"
		}
		r.note(file, 1, "no status-website.name", fmt.Sprintf("titled the site %q; change title: in herald.yaml", r.site.Title))
	}
}

// readSite reads one sites[] entry into a component.
func (r *reader) readSite(file string, n *yaml.Node, errs *diag.List) {
	if n.Kind != yaml.MappingNode {
		errs.Add(file, diag.Errorf(file, n.Line, n.Column, "a site is not a mapping").WithFix("write each site as name: and url: lines"))
		return
	}
	var (
		name, slug, rawURL, check, method string
		nameNode, slugNode, urlNode       *yaml.Node
		port                              string
		headers                           map[string]string
		p                                 probe
	)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			name, nameNode = v.Value, v
		case "slug":
			slug, slugNode = strings.TrimSpace(v.Value), v
		case "url":
			rawURL, urlNode = v.Value, v
		case "check":
			check = v.Value
		case "method":
			method = strings.ToUpper(v.Value)
		case "port":
			port = v.Value
		case "expectedStatusCodes":
			p.Expect.Status = statusCodes(file, v, errs)
		case "headers":
			headers = r.readHeaders(file, v, errs)
		case "__dangerous__body_down_if_text_missing":
			p.Expect.BodyContains = v.Value
		case "maxResponseTime":
			// Upptime's degraded is herald's: slower than this, in ms.
			// Not expect.max_latency, which would mark the site down.
			ms, err := strconv.Atoi(v.Value)
			if d := time.Duration(ms) * time.Millisecond; err == nil && ms > 0 && d < timeoutDuration {
				p.DegradedOver = config.FormatDuration(d)
				break
			}
			r.note(file, k.Line, fmt.Sprintf("maxResponseTime %s is not a number of milliseconds below Upptime's %s timeout", v.Value, timeout), "dropped it")
		default:
			instead, ok := siteKeys[k.Value]
			if !ok {
				instead = "dropped it"
			}
			r.note(file, k.Line, fmt.Sprintf("sites[].%s has no herald equivalent", k.Value), instead)
		}
	}
	if name == "" {
		errs.Add(file, diag.Errorf(file, n.Line, n.Column, "a site has no name").WithFix("give every site a name"))
		return
	}
	id := slug
	if id == "" {
		id = Slug(name)
	}
	upptimeSlug := id
	if !config.IsSlug(id) {
		id = config.Slugify(id)
		line := nameNode.Line
		if slugNode != nil {
			line = slugNode.Line
		}
		r.note(file, line, fmt.Sprintf("slug %q is not a herald id", upptimeSlug), fmt.Sprintf("made it %q", id))
	}
	if id == "" {
		id = "site"
	}
	base := id
	for i := 2; slices.ContainsFunc(r.site.Components, func(c migrate.Component) bool { return c.ID == id }); i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	if id != base {
		r.note(file, nameNode.Line, fmt.Sprintf("site %q has the slug %q of another site", name, base), fmt.Sprintf("gave it the id %q", id))
	}
	r.bySlug[upptimeSlug] = id
	r.byName[name] = id
	c := migrate.Component{ID: id, Name: name}
	if rawURL == "" {
		r.note(file, nameNode.Line, fmt.Sprintf("site %q has no url", name), "left it without a probe")
		r.site.Components = append(r.site.Components, c)
		return
	}
	target := r.secrets(file, urlNode.Line, rawURL)
	switch check {
	case "", "http":
		// herald reads ${NAME} in the host too, and a whole URL from one
		// variable; the URL is checked as herald check will, with each
		// variable set.
		u, err := url.Parse(config.Expand(target, func(string) string { return "x" }))
		if !strings.HasPrefix(target, "${") && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			r.note(file, urlNode.Line, fmt.Sprintf("url of site %q is not an http(s) URL", name), "left it without a probe")
			break
		}
		p.HTTP, p.Method, p.Timeout = target, method, timeout
		if p.Method == "GET" {
			p.Method = ""
		}
		p.Headers = headers
		c.Probe = p.yaml()
	case "tcp-ping":
		host := target
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			host = u.Hostname()
		}
		if method != "" || len(headers) > 0 || len(p.Expect.Status) > 0 || p.Expect.BodyContains != "" {
			r.note(file, urlNode.Line, fmt.Sprintf("tcp-ping site %q has http settings (method, headers, expected codes or text)", name), "dropped them; a tcp probe only connects")
		}
		if _, err := strconv.Atoi(port); err != nil {
			r.note(file, urlNode.Line, fmt.Sprintf("tcp-ping site %q has no port", name), "left it without a probe; add probe: {tcp: host:port} yourself")
			break
		}
		c.Probe = probe{TCP: net.JoinHostPort(host, port), Timeout: timeout, DegradedOver: p.DegradedOver}.yaml()
	default:
		r.note(file, urlNode.Line, fmt.Sprintf("check %q of site %q has no herald probe", check, name), "left it without a probe")
	}
	r.addHistory(file, nameNode.Line, name, upptimeSlug, c)
	r.site.Components = append(r.site.Components, c)
}

// addHistory reads the history of the site behind c, which herald shows
// only for a component with a probe.
func (r *reader) addHistory(file string, line int, name, upptimeSlug string, c migrate.Component) {
	if c.Probe == "" {
		r.note(file, line, fmt.Sprintf("the history of site %q", name), "left it out: herald keeps probe history only for a component with a probe")
		return
	}
	r.history = append(r.history, HistorySite{Name: name, Slug: upptimeSlug, Component: c.ID})
}

// readMessages reads the keys that shape Upptime's commit subjects, so
// that the history is parsed with the repository's own template.
func (r *reader) readMessages(file, key string, v *yaml.Node, errs *diag.List) {
	scalar := func(n *yaml.Node) string {
		if n.Kind != yaml.ScalarNode {
			errs.Add(file, diag.Errorf(file, n.Line, n.Column, "%s is not a string", key).WithFix("write it as Upptime's documentation does, or remove it to use Upptime's default"))
		}
		return n.Value
	}
	switch key {
	case "commitPrefixStatusUp":
		r.messages.Up = scalar(v)
	case "commitPrefixStatusDown":
		r.messages.Down = scalar(v)
	case "commitPrefixStatusDegraded":
		r.messages.Degraded = scalar(v)
	case "commitMessages":
		if v.Kind != yaml.MappingNode {
			errs.Add(file, diag.Errorf(file, v.Line, v.Column, "commitMessages is not a mapping").WithFix("write it as Upptime's documentation does, e.g. statusChange: and summaryJson: lines"))
			return
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			switch k.Value {
			case "statusChange":
				r.messages.Template = scalar(val)
			case "summaryJson":
				r.messages.Summary = scalar(val)
			default:
				r.note(file, k.Line, fmt.Sprintf("commitMessages.%s shapes a commit that holds no history", k.Value), "ignored it")
			}
		}
	}
}

// statusCodes reads expectedStatusCodes, a list of codes that Upptime
// takes as numbers even when they are written as strings ("200").
func statusCodes(file string, n *yaml.Node, errs *diag.List) []int {
	if n.Kind != yaml.SequenceNode {
		errs.Add(file, diag.Errorf(file, n.Line, n.Column, "expectedStatusCodes is not a list").WithFix("write them as [200, 204]"))
		return nil
	}
	var codes []int
	for _, c := range n.Content {
		code, err := strconv.Atoi(c.Value)
		if err != nil || code < 100 || code > 999 {
			errs.Add(file, diag.Errorf(file, c.Line, c.Column, "expectedStatusCodes: %q is not a status code", c.Value).WithFix("write a number such as 200"))
			continue
		}
		codes = append(codes, code)
	}
	return codes
}

// readHeaders reads Upptime's headers, a list of "Name: value" strings.
func (r *reader) readHeaders(file string, n *yaml.Node, errs *diag.List) map[string]string {
	if n.Kind != yaml.SequenceNode {
		errs.Add(file, diag.Errorf(file, n.Line, n.Column, "headers is not a list").WithFix(`write them as a list of "Name: value" strings`))
		return nil
	}
	out := map[string]string{}
	for _, h := range n.Content {
		name, value, ok := strings.Cut(h.Value, ":")
		if !ok || strings.TrimSpace(name) == "" {
			r.note(file, h.Line, "a header is not Name: value", "dropped it")
			continue
		}
		out[strings.TrimSpace(name)] = r.secrets(file, h.Line, strings.TrimSpace(value))
	}
	return out
}

var (
	// actionsSecretRE is the GitHub Actions form ${{ secrets.NAME }}.
	actionsSecretRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`) })
	// envRE is Upptime's own form, $NAME, which it fills from the
	// repository's secrets. Their names are upper case; a lower-case $top
	// (an OData query) is left as it is, as Upptime leaves it.
	envRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$([A-Z_][A-Z0-9_]*)`) })
)

// randomNumber is replaced by Upptime with a new random number on every
// request, to defeat caches.
const randomNumber = "DYNAMIC_RANDOM_NUMBER"

// secrets rewrites Upptime's secret references in s, $NAME and
// ${{ secrets.NAME }}, as herald's ${NAME}, which herald probe reads from
// its environment. The notes name the variable, never a value.
func (r *reader) secrets(file string, line int, s string) string {
	var names []string
	s = actionsSecretRE().ReplaceAllStringFunc(s, func(m string) string {
		name := actionsSecretRE().FindStringSubmatch(m)[1]
		names = append(names, name)
		return "${" + name + "}"
	})
	s = envRE().ReplaceAllStringFunc(s, func(m string) string {
		if m[1:] == randomNumber {
			r.note(file, line, "$"+randomNumber+" has no herald equivalent", "kept it as text, so every request is the same")
			return m
		}
		names = append(names, m[1:])
		return "${" + m[1:] + "}"
	})
	for _, name := range names {
		r.note(file, line, fmt.Sprintf("secret %s is read from the environment", name), fmt.Sprintf("wrote it as ${%s}; export %s where herald probe runs", name, name))
	}
	return s
}

// probe is a component's probe: mapping, as herald.yaml writes it.
type probe struct {
	HTTP     string            `yaml:"http,omitempty"`
	TCP      string            `yaml:"tcp,omitempty"`
	Method   string            `yaml:"method,omitempty"`
	Headers  map[string]string `yaml:"headers,omitempty"`
	Interval string            `yaml:"interval"`
	Timeout  string            `yaml:"timeout,omitempty"`
	// DegradedOver is maxResponseTime.
	DegradedOver string `yaml:"degraded_over,omitempty"`
	Expect       struct {
		Status       []int  `yaml:"status,omitempty,flow"`
		BodyContains string `yaml:"body_contains,omitempty"`
	} `yaml:"expect,omitempty"`
}

func (p probe) yaml() string {
	p.Interval = config.FormatDuration(Interval)
	// Strings, ints and a map of strings always marshal.
	out, _ := yaml.Marshal(p)
	return string(out)
}

// camelRE finds where Upptime's slugify splits camel case, each match
// replaced by "$1 $2": "BandLab" is "band-lab".
var camelRE = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`([A-Z]{2,})(\d+)`),
		regexp.MustCompile(`([a-z\d]+)([A-Z]{2,})`),
		regexp.MustCompile(`([a-z\d])([A-Z])`),
		regexp.MustCompile(`([A-Z]+)([A-Z][a-z\d]+)`),
	}
})

// Slug is the slug Upptime gives a site without one, as
// @sindresorhus/slugify makes it: "&" is "and", camel case is split, and
// the rest is as herald slugs a name. It names the site's history files
// and its issues' label.
func Slug(name string) string {
	s := strings.ReplaceAll(name, "&", " and ")
	for _, re := range camelRE() {
		s = re.ReplaceAllString(s, "$1 $2")
	}
	return config.Slugify(s)
}
