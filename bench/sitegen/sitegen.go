// Package sitegen writes synthetic herald sites for benchmarks: a
// herald.yaml with many components and thousands of incident files with
// realistic Markdown bodies (paragraphs, lists, code, links), dates spread
// over several years, some maintenance and a few ongoing incidents.
//
// A site is a pure function of its Spec and seed: the same seed gives
// byte-identical files on every machine, so timings from two runs or two
// machines measure the same input.
package sitegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Spec is the shape of a synthetic site.
type Spec struct {
	Name       string
	Components int
	Groups     int // 0: no groups
	Incidents  int
	// MinUpdates and MaxUpdates bound the timeline updates per incident.
	MinUpdates, MaxUpdates int
	// ProbeDays is how many days of 1-minute probe results
	// WriteProbeHistory writes per component.
	ProbeDays int
	// Probed declares an http probe on every component (see WithProbes).
	Probed bool
}

// WithProbes returns spec with an http probe declared on every component,
// one check every ProbeInterval, and history.retention longer than
// ProbeDays, so that a build draws every component's bars from the
// history store and an import of WriteProbeHistory's results prunes none.
// The targets are never contacted by a build. The incidents are the same
// as spec's: the config does not draw from the generator's random stream.
func (s Spec) WithProbes() Spec {
	s.Name += "-probed"
	s.Probed = true
	return s
}

// The sizes that `make bench` measures.
var (
	Small = Spec{Name: "small", Components: 10, Groups: 2, Incidents: 50, MinUpdates: 3, MaxUpdates: 6}
	// Medium is the site of issue #17's tmpfs measurements: 2,000
	// incidents in 20 components.
	Medium = Spec{Name: "medium", Components: 20, Groups: 2, Incidents: 2000, MinUpdates: 3, MaxUpdates: 6}
	Large  = Spec{Name: "large", Components: 100, Groups: 10, Incidents: 5000, MinUpdates: 3, MaxUpdates: 6, ProbeDays: 90}
	Huge   = Spec{Name: "huge", Components: 100, Groups: 10, Incidents: 20000, MinUpdates: 3, MaxUpdates: 6}
)

// Sizes lists the specs by name.
var Sizes = []Spec{Small, Medium, Large, Huge}

// Lookup returns the spec named name; a size followed by "-probed" is
// that size WithProbes.
func Lookup(name string) (Spec, bool) {
	if base, ok := strings.CutSuffix(name, "-probed"); ok {
		s, ok := Lookup(base)
		return s.WithProbes(), ok && !s.Probed
	}
	for _, s := range Sizes {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Now is the clock every synthetic site is built at. Incidents span the
// years before it; a few are ongoing at it and one maintenance is upcoming.
var Now = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// FeedItems is the feeds.items the synthetic config sets.
const FeedItems = 50

// Years is how far back incidents go.
const Years = 6

// Incident is one generated incident, before it is written in any format.
type Incident struct {
	Slug  string
	Dir   string // sub-folder of incidents/, the year
	Title string
	// FrontMatter is herald's YAML front matter, without the --- lines.
	FrontMatter string
	// Date is when it began (or the maintenance window opens), for Hugo.
	Date time.Time
	// Body is the Markdown body: summary, then `## <time> — <status>`
	// updates, newest first.
	Body string
}

// Generate writes the site for spec into dir (created if missing; files
// already there are overwritten) and returns its incidents.
func Generate(dir string, spec Spec, seed uint64) ([]Incident, error) {
	g := newGen(spec, seed)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "herald.yaml"), []byte(g.config()), 0o644); err != nil {
		return nil, err
	}
	ins := g.incidents()
	made := map[string]bool{}
	for _, in := range ins {
		d := filepath.Join(dir, "incidents", in.Dir)
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, err
			}
			made[d] = true
		}
		src := "---\n" + in.FrontMatter + "---\n" + in.Body
		if err := os.WriteFile(filepath.Join(d, in.Slug+".md"), []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	return ins, nil
}

type gen struct {
	spec Spec
	r    *rand.Rand
	ids  []string
}

func newGen(spec Spec, seed uint64) *gen {
	g := &gen{spec: spec, r: rand.New(rand.NewPCG(seed, 0x6865726c64))}
	for i := range spec.Components {
		g.ids = append(g.ids, fmt.Sprintf("%s-%d", services[i%len(services)], i/len(services)+1))
	}
	return g
}

func (g *gen) config() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Synthetic %s site written by bench/sitegen; do not edit.\n", g.spec.Name)
	b.WriteString("title: Synthetic Status\nbase_url: https://status.bench.example/\n")
	b.WriteString("description: A synthetic site for herald's benchmarks.\ntimezone: America/Los_Angeles\n")
	b.WriteString("links:\n  - name: Home\n    url: https://bench.example/\n")
	b.WriteString("components:\n")
	for i, id := range g.ids {
		fmt.Fprintf(&b, "  - id: %s\n    name: %s\n", id, title(strings.ReplaceAll(id, "-", " ")))
		if g.spec.Groups > 0 {
			per := (g.spec.Components + g.spec.Groups - 1) / g.spec.Groups
			fmt.Fprintf(&b, "    group: %s\n", regions[(i/per)%len(regions)])
		}
		fmt.Fprintf(&b, "    description: The %s service, served from %s.\n", strings.ReplaceAll(id, "-", " "), regions[i%len(regions)])
		if g.spec.Probed {
			fmt.Fprintf(&b, "    probe:\n      http: https://%s.bench.example/health\n      interval: %ds\n", id, int(ProbeInterval/time.Second))
		}
	}
	b.WriteString("history:\n  days: 90\n")
	if g.spec.Probed {
		fmt.Fprintf(&b, "  retention: %dd\n", g.spec.ProbeDays+10)
	}
	fmt.Fprintf(&b, "feeds:\n  items: %d\npublish:\n  dir: public\n", FeedItems)
	return b.String()
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// incidents makes spec.Incidents incidents, oldest first: about one in ten
// is a maintenance; the three newest incidents are ongoing, the newest
// maintenance is upcoming and the one before it in progress.
func (g *gen) incidents() []Incident {
	n := g.spec.Incidents
	span := time.Duration(Years*365*24) * time.Hour
	first := Now.Add(-span)
	out := make([]Incident, 0, n)
	for i := range n {
		// Evenly spread with jitter, so dates are varied but sorted by i.
		at := first.Add(time.Duration(float64(span) * (float64(i) + g.r.Float64()*0.9) / float64(n)))
		at = at.Truncate(time.Minute)
		maint := g.r.IntN(10) == 0
		var in Incident
		switch {
		case maint && i == n-1:
			in = g.maintenance(i, Now.Add(5*24*time.Hour).Truncate(time.Hour), phaseUpcoming)
		case maint && i >= n-5:
			in = g.maintenance(i, Now.Add(-30*time.Minute), phaseNow)
		case maint:
			in = g.maintenance(i, at, phaseDone)
		case i >= n-3:
			in = g.incident(i, Now.Add(-time.Duration(n-i)*47*time.Minute), true)
		default:
			in = g.incident(i, at, false)
		}
		out = append(out, in)
	}
	return out
}

const (
	phaseDone = iota
	phaseNow
	phaseUpcoming
)

func hm(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") + " UTC" }

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (g *gen) slug(i int, t time.Time, words string) string {
	return fmt.Sprintf("%s-%s-%d", t.UTC().Format("2006-01-02"), strings.ReplaceAll(strings.ToLower(words), " ", "-"), i)
}

func (g *gen) affected() []string {
	k := 1 + g.r.IntN(3)
	seen := map[int]bool{}
	var ids []string
	for len(ids) < k && len(ids) < len(g.ids) {
		j := g.r.IntN(len(g.ids))
		if !seen[j] {
			seen[j] = true
			ids = append(ids, g.ids[j])
		}
	}
	return ids
}

func (g *gen) incident(i int, start time.Time, ongoing bool) Incident {
	comp := g.pick(services)
	symptom := g.pick(symptoms)
	t := title(comp) + " " + symptom
	ids := g.affected()
	var fm strings.Builder
	fmt.Fprintf(&fm, "title: %s\n", t)
	if g.r.IntN(2) == 0 {
		fm.WriteString("components:\n")
		for _, id := range ids {
			fmt.Fprintf(&fm, "  %s: %s\n", id, g.pick(badStatuses))
		}
	} else {
		fmt.Fprintf(&fm, "components: [%s]\nimpact: %s\n", strings.Join(ids, ", "), g.pick(impacts))
	}
	fmt.Fprintf(&fm, "started: %s\n", rfc(start))

	nu := g.spec.MinUpdates + g.r.IntN(g.spec.MaxUpdates-g.spec.MinUpdates+1)
	var statuses []string
	switch nu {
	case 3:
		statuses = []string{"Investigating", "Identified", "Resolved"}
	case 4:
		statuses = []string{"Investigating", "Identified", "Monitoring", "Resolved"}
	case 5:
		statuses = []string{"Investigating", "Identified", "Monitoring", "Resolved", "Postmortem"}
	default:
		statuses = []string{"Investigating", "Identified", "Monitoring", "Monitoring", "Resolved", "Postmortem"}
	}
	if ongoing {
		statuses = statuses[:1+i%3]
	}
	times := make([]time.Time, len(statuses))
	at := start.Add(time.Duration(3+g.r.IntN(15)) * time.Minute)
	for k, s := range statuses {
		if s == "Postmortem" {
			at = at.Add(time.Duration(2+g.r.IntN(5)) * 24 * time.Hour)
		}
		times[k] = at
		if s == "Resolved" {
			fmt.Fprintf(&fm, "resolved: %s\n", rfc(at))
		}
		at = at.Add(time.Duration(5+g.r.IntN(90)) * time.Minute)
	}
	if ongoing {
		// Keep every update in the past.
		for k := range times {
			if times[k].After(Now) {
				times[k] = Now.Add(-time.Duration(len(times)-k) * time.Minute)
			}
		}
	}
	var body strings.Builder
	g.summary(&body, comp, symptom, start)
	for k := len(statuses) - 1; k >= 0; k-- {
		fmt.Fprintf(&body, "\n## %s — %s\n", hm(times[k]), statuses[k])
		g.update(&body, statuses[k], comp)
	}
	return Incident{
		Slug: g.slug(i, start, comp+" "+symptom), Dir: start.UTC().Format("2006"),
		Title: t, FrontMatter: fm.String(), Date: start, Body: body.String(),
	}
}

func (g *gen) maintenance(i int, start time.Time, phase int) Incident {
	comp := g.pick(services)
	work := g.pick(works)
	t := title(work) + " of the " + comp + " service"
	ids := g.affected()
	end := start.Add(time.Duration(1+g.r.IntN(4)) * time.Hour)
	var fm strings.Builder
	fmt.Fprintf(&fm, "title: %s\ntype: maintenance\ncomponents: [%s]\nscheduled_start: %s\nscheduled_end: %s\n",
		t, strings.Join(ids, ", "), rfc(start), rfc(end))
	type upd struct {
		at     time.Time
		status string
	}
	ups := []upd{{start.Add(-time.Duration(3+g.r.IntN(10)) * 24 * time.Hour), "Scheduled"}}
	switch phase {
	case phaseNow:
		ups = append(ups, upd{start, "In progress"})
	case phaseDone:
		mid := start.Add(end.Sub(start) / 2)
		ups = append(ups, upd{start, "In progress"}, upd{mid, "Verifying"}, upd{mid.Add(10 * time.Minute), "Completed"})
	}
	var body strings.Builder
	fmt.Fprintf(&body, "We will carry out %s of the %s service. %s\n", work, comp, g.pick(maintNotes))
	for k := len(ups) - 1; k >= 0; k-- {
		fmt.Fprintf(&body, "\n## %s — %s\n", hm(ups[k].at), ups[k].status)
		g.maintUpdate(&body, ups[k].status, comp, start, end)
	}
	return Incident{
		Slug: g.slug(i, start, "maintenance "+comp), Dir: start.UTC().Format("2006"),
		Title: t, FrontMatter: fm.String(), Date: start, Body: body.String(),
	}
}

func (g *gen) summary(b *strings.Builder, comp, symptom string, start time.Time) {
	fmt.Fprintf(b, "Between %s and the fix, %s %s for %s. %s\n",
		start.UTC().Format("15:04 UTC on January 2"), "the "+comp+" service", symptom, g.pick(audiences), g.pick(notAffected))
	if g.r.IntN(3) == 0 {
		fmt.Fprintf(b, "\n%s See [the runbook](https://runbooks.bench.example/%s) for what we check first.\n", g.pick(sentences), comp)
	}
}

func (g *gen) update(b *strings.Builder, status, comp string) {
	switch status {
	case "Investigating":
		fmt.Fprintf(b, "We are investigating reports that %s. %s\n", g.pick(reports), g.pick(sentences))
		if g.r.IntN(2) == 0 {
			b.WriteString("\nWhat we see so far:\n\n")
			for range 2 + g.r.IntN(3) {
				fmt.Fprintf(b, "- %s\n", g.pick(observations))
			}
		}
	case "Identified":
		fmt.Fprintf(b, "The cause is %s. %s\n", g.pick(causes), g.pick(sentences))
		if g.r.IntN(2) == 0 {
			fmt.Fprintf(b, "\nClients see errors such as:\n\n```\n%s\n```\n", g.pick(errorLogs))
		}
	case "Monitoring":
		fmt.Fprintf(b, "We %s and are watching `%s` error rates and latency. %s\n", g.pick(fixes), comp, g.pick(sentences))
	case "Resolved":
		fmt.Fprintf(b, "The %s service is working normally again. **No data was lost.** %s\n", comp, g.pick(sentences))
	case "Postmortem":
		fmt.Fprintf(b, "### What happened\n\n%s %s %s\n\n### What we're changing\n\n", g.pick(sentences), g.pick(sentences), g.pick(sentences))
		for k := range 3 + g.r.IntN(3) {
			fmt.Fprintf(b, "%d. %s\n", k+1, g.pick(actions))
		}
		fmt.Fprintf(b, "\nThe full review is in [our engineering blog](https://blog.bench.example/postmortems/%s-%d).\n", comp, g.r.IntN(10000))
	}
}

func (g *gen) maintUpdate(b *strings.Builder, status, comp string, start, end time.Time) {
	switch status {
	case "Scheduled":
		fmt.Fprintf(b, "On **%s, from %s to %s UTC** we will work on the %s service. %s\n\n- Expect %s.\n- No action is needed from you.\n",
			start.UTC().Format("Monday, January 2"), start.UTC().Format("15:04"), end.UTC().Format("15:04"), comp, g.pick(maintNotes), g.pick(expectations))
	case "In progress":
		fmt.Fprintf(b, "The maintenance has started. %s\n", g.pick(expectations))
	case "Verifying":
		fmt.Fprintf(b, "The work is done; we are running our checks (`%s`).\n", g.pick(checks))
	case "Completed":
		fmt.Fprintf(b, "The maintenance is complete. %s\n", g.pick(sentences))
	}
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	services = []string{"api", "website", "search", "checkout", "login", "webhooks", "dashboard", "billing", "storage", "cdn",
		"mail", "notifications", "reports", "exports", "imports", "sync", "uploads", "builds", "registry", "dns"}
	regions     = []string{"us-east", "us-west", "eu-central", "eu-west", "ap-south", "ap-northeast", "sa-east", "ca-central", "af-south", "me-central"}
	symptoms    = []string{"errors", "latency", "outage", "timeouts", "degradation", "failures", "delays", "unavailability"}
	badStatuses = []string{"degraded_performance", "partial_outage", "major_outage"}
	impacts     = []string{"minor", "major", "critical"}
	works       = []string{"a database upgrade", "a network change", "a certificate rotation", "a storage migration", "a kernel update", "a failover test"}
	audiences   = []string{"some customers in Europe", "about a third of requests", "every customer", "customers on the free plan", "API clients using token authentication"}
	notAffected = []string{"Other services were not affected.", "Data already stored was not affected.", "The website stayed up throughout.", "Scheduled jobs ran late but completed."}
	reports     = []string{"requests are failing with HTTP 502", "pages load slowly", "sign-in attempts time out", "webhooks arrive late", "uploads stall at 99%"}
	causes      = []string{"an exhausted connection pool on the primary database", "a bad configuration push to the load balancers", "a full disk on one storage node", "an expired intermediate certificate", "a retry storm after a deploy", "a DNS resolver that stopped answering"}
	fixes       = []string{"rolled back the deploy", "restarted the affected nodes", "added capacity", "failed over to the standby", "replaced the certificate", "drained the bad host"}
	sentences   = []string{
		"We will post another update within 30 minutes.",
		"Our on-call engineers are working on it with the provider.",
		"Requests already queued will be retried automatically.",
		"We are sorry for the disruption this caused.",
		"Error rates have returned to their usual level of under 0.1%.",
		"The alert fired within two minutes, but paging took longer than it should have.",
		"Retries from clients doubled the load while the service was recovering.",
		"The change had passed review and staging, where the traffic pattern is different.",
	}
	observations = []string{"Error rate at 12% in eu-central", "p99 latency above 4 s", "Health checks flapping on two nodes", "Queue depth growing since 09:12 UTC", "No errors in other regions"}
	errorLogs    = []string{
		"HTTP/1.1 502 Bad Gateway\nx-request-id: 3f2a9c1e",
		"dial tcp 10.0.4.12:5432: connect: connection refused",
		"x509: certificate has expired or is not yet valid",
		"context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
	}
	actions = []string{
		"Alert on connection pool saturation, not only on errors.",
		"Roll configuration out to one region first.",
		"Add a runbook step for failing over the database.",
		"Test the startup scripts by rebooting a staging host every week.",
		"Cap client retries with exponential backoff.",
		"Renew certificates 30 days before they expire, automatically.",
	}
	maintNotes   = []string{"The service stays available, with brief interruptions.", "Writes are paused for up to ten minutes.", "Expect one short reconnect per client."}
	expectations = []string{"up to a minute of errors", "slower responses during the window", "a single reconnect", "no visible impact"}
	checks       = []string{"smoke-test --all", "make verify", "curl -fsS https://api.bench.example/healthz"}
)

// WriteHugo writes ins as Hugo content under dir/content/incidents: front
// matter with the title and date, and the same Markdown body, whose
// `## <time> — <status>` headings stay headings. The layouts and config
// come from bench/hugo; copy them in with CopyTree.
func WriteHugo(dir string, ins []Incident) error {
	d := filepath.Join(dir, "content", "incidents")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	for _, in := range ins {
		src := fmt.Sprintf("---\ntitle: %q\ndate: %s\n---\n%s", in.Title, rfc(in.Date), in.Body)
		if err := os.WriteFile(filepath.Join(d, in.Slug+".md"), []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// CopyTree copies the regular files under src into dst.
func CopyTree(dst, src string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}
