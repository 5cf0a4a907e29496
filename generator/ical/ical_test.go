package ical_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/ical"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

func render(tb testing.TB, snap *status.Snapshot) []byte {
	tb.Helper()
	files := ical.Files(snap)
	if len(files) != 1 || files[0].Path != "maintenance.ics" {
		tb.Fatalf("got files %v", files)
	}
	var b bytes.Buffer
	if err := files[0].Render(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// unfold undoes RFC 5545 line folding.
func unfold(s string) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(s, "\r\n ", ""), "\r\n"), "\r\n")
}

func TestStructure(t *testing.T) {
	data := render(t, sitetest.Example(t, clock))
	s := string(data)
	for i, line := range strings.SplitAfter(s, "\r\n") {
		if line == "" {
			continue
		}
		if !strings.HasSuffix(line, "\r\n") || strings.Contains(strings.TrimSuffix(line, "\r\n"), "\n") {
			t.Errorf("line %d not ended by CRLF: %q", i+1, line)
		}
		if n := len(strings.TrimSuffix(line, "\r\n")); n > 75 {
			t.Errorf("line %d is %d octets, over 75: %q", i+1, n, line)
		}
	}
	lines := unfold(s)
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("got first %q last %q", lines[0], lines[len(lines)-1])
	}
	for _, want := range []string{"VERSION:2.0", "METHOD:PUBLISH", "PRODID:-//herald//herald status page//EN",
		"UID:2026-12-03-failover-and-reboot-test@status.parcel-gallery.example",
		"UID:2026-10-14-database-upgrade@status.parcel-gallery.example",
		"DTSTART:20261204T060000Z", "DTEND:20261204T080000Z", "DTSTAMP:20261124T180000Z",
		"SUMMARY;LANGUAGE=en:Maintenance: Database failover test and web server reboot test",
		"URL;VALUE=URI:https://status.parcel-gallery.example/incidents/2026-12-03-failover-and-reboot-test/",
	} {
		found := false
		for _, l := range lines {
			found = found || l == want
		}
		if !found {
			t.Errorf("no line %q in\n%s", want, s)
		}
	}
	if !strings.Contains(strings.Join(lines, "\n"), `Affected: Website\, Package publishing`) {
		t.Error("description does not name the affected components, escaped")
	}
	if strings.Count(s, "BEGIN:VEVENT") != 2 {
		t.Errorf("got %d events, want the upcoming one and the one of October (within 90 days)", strings.Count(s, "BEGIN:VEVENT"))
	}
	// The file does not change with the clock, only with the incidents.
	if later := render(t, sitetest.Example(t, clock.Add(time.Hour))); !bytes.Equal(later, data) {
		t.Error("maintenance.ics changed with the build clock")
	}
}

func TestEscapeAndFold(t *testing.T) {
	if got, want := ical.Escape("a,b;c\\d\ne"), `a\,b\;c\\d\ne`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	long := "DESCRIPTION:" + strings.Repeat("é", 80) // two octets each
	folded := ical.Fold(long)
	for _, l := range strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("folded line of %d octets", len(l))
		}
		if !strings.HasPrefix(l, "DESCRIPTION") && !strings.HasPrefix(l, " ") {
			t.Errorf("continuation without a space: %q", l)
		}
	}
	if got := strings.ReplaceAll(folded, "\r\n ", ""); got != long+"\r\n" {
		t.Errorf("unfolding does not give the line back")
	}
}

// pythonICalendar runs script with the path of a file holding data, and
// returns what it prints; it skips the test unless Debian's
// python3-icalendar, a real iCalendar parser, is installed.
func pythonICalendar(t *testing.T, data []byte, script string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		t.Skip("python3-icalendar not installed (apt-get install python3-icalendar)")
	}
	ics := filepath.Join(t.TempDir(), "maintenance.ics")
	if err := os.WriteFile(ics, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", script, ics).CombinedOutput()
	if err != nil {
		t.Fatalf("python icalendar: %v\n%s", err, out)
	}
	return string(out)
}

// TestPythonICalendar parses the file with a real iCalendar parser
// and checks what it reads back.
func TestPythonICalendar(t *testing.T) {
	const script = `
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal['VERSION'] == '2.0', cal['VERSION']
assert cal['METHOD'] == 'PUBLISH'
for ev in cal.walk('VEVENT'):
    print(ev['UID'], ev.decoded('DTSTART').isoformat(), ev.decoded('DTEND').isoformat(), ev.decoded('DTSTAMP').isoformat(), ev['SUMMARY'], sep='|')
    print(str(ev['DESCRIPTION']).replace('\n', '\\n'))
`
	got := pythonICalendar(t, render(t, sitetest.Example(t, clock)), script)
	for _, want := range []string{
		"2026-12-03-failover-and-reboot-test@status.parcel-gallery.example|2026-12-04T06:00:00+00:00|2026-12-04T08:00:00+00:00|2026-11-24T18:00:00+00:00|Maintenance: Database failover test and web server reboot test",
		"2026-10-14-database-upgrade@status.parcel-gallery.example|2026-10-15T04:00:00+00:00|2026-10-15T05:06:00+00:00|",
		"Affected: Website, Package publishing",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("parsed calendar lacks %q:\n%s", want, got)
		}
	}
}

// TestNoInjection gives every value the calendar carries line breaks and
// the characters TEXT must escape, and checks that no value starts a
// content line of its own and that UID and URL give the slug back. The
// loader refuses control characters in file names; the slug is set on the
// snapshot here so that the calendar is safe on its own.
func TestNoInjection(t *testing.T) {
	const inject = "X-INJECTED:1"
	tests := []struct {
		name  string
		slug  string // of the upcoming maintenance
		title string
		uid   string // the UID's value as written, before @host
	}{
		{"LF in slug", "2026-12-03-evil\n" + inject, "", `2026-12-03-evil\n` + inject},
		{"CRLF in slug", "2026-12-03-evil\r\n" + inject, "", `2026-12-03-evil\n` + inject},
		{"CR in slug", "2026-12-03-evil\r" + inject, "", `2026-12-03-evil\n` + inject},
		{"folded break in slug", "2026-12-03-evil\r\n " + inject, "", `2026-12-03-evil\n ` + inject},
		{"TEXT specials in slug", `2026-12-03-a;b,c\d:e "f"?#g%h`, "", `2026-12-03-a\;b\,c\\d:e "f"?#g%h`},
		{"control characters", "2026-12-03-tab\there\x0bvt\x7f", "Vertical\x0btab\x00nul", "2026-12-03-tab\there\uFFFDvt\uFFFD"},
		{"CRLF in title", "2026-12-03-plain", "Upgrade\r\n" + inject, "2026-12-03-plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := sitetest.Example(t, clock)
			var in *incident.Incident
			for _, i := range snap.Incidents {
				if i.Slug == "2026-12-03-failover-and-reboot-test" {
					in = i
				}
			}
			in.Slug = tt.slug
			if tt.title != "" {
				in.Title = tt.title
			}
			snap.Site.Title += "\n" + inject
			snap.Components[0].Name += "\r\n" + inject
			data := string(render(t, snap))
			host := "status.parcel-gallery.example"
			var uid, link string
			for _, line := range unfold(data) {
				name, value, _ := strings.Cut(line, ":")
				name, _, _ = strings.Cut(name, ";")
				if strings.HasPrefix(line, inject) || strings.ContainsAny(line, "\r\n") {
					t.Errorf("got content line %q, want no injected line", line)
				}
				if i := strings.IndexFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); i >= 0 {
					t.Errorf("got control character %q in %q, which RFC 5545 forbids", line[i], line)
				}
				switch name {
				case "UID":
					if strings.HasPrefix(value, "2026-12-03") {
						uid = value
					}
				case "URL":
					if strings.Contains(value, "2026-12-03") {
						link = value
					}
				}
			}
			if want := tt.uid + "@" + host; uid != want {
				t.Errorf("got UID %q, want %q", uid, want)
			}
			u, err := url.Parse(link)
			if err != nil || strings.ContainsAny(link, " \"\\") || u.RawQuery != "" || u.Fragment != "" {
				t.Fatalf("got URL %q (%v), want a valid URL without query or fragment", link, err)
			}
			if got, want := u.Path, "/incidents/"+tt.slug+"/"; got != want {
				t.Errorf("got URL path %q, want %q", got, want)
			}
			checkParsed(t, data, uid, inject) // last: it skips without python3-icalendar
		})
	}
}

// checkParsed has a real parser read the calendar: it must find no
// property named like injected, and read uid (as written) back as the
// text it escapes.
func checkParsed(t *testing.T, data, uid, injected string) {
	t.Helper()
	const script = `
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
print(json.dumps({'props': [k for c in cal.walk() for k in c.keys()], 'uids': [str(ev['UID']) for ev in cal.walk('VEVENT')]}))
`
	var got struct{ Props, UIDs []string }
	if err := json.Unmarshal([]byte(pythonICalendar(t, []byte(data), script)), &got); err != nil {
		t.Fatal(err)
	}
	name, _, _ := strings.Cut(injected, ":")
	if slices.Contains(got.Props, name) {
		t.Errorf("parser found property %s, want none", name)
	}
	want := strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n").Replace(uid)
	if !slices.Contains(got.UIDs, want) {
		t.Errorf("parser read UIDs %q, want %q among them", got.UIDs, want)
	}
}
