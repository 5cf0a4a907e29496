package ical_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/ical"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

func example(tb testing.TB, now time.Time) *status.Snapshot {
	tb.Helper()
	dir := filepath.Join("..", "..")
	cfg, err := config.Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	ins, err := incident.Load(context.Background(), dir, incident.NewParser(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	return status.New(cfg, ins, now)
}

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
	data := render(t, example(t, clock))
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
		"SUMMARY:Maintenance: Database failover test and web server reboot test",
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
	if later := render(t, example(t, clock.Add(time.Hour))); !bytes.Equal(later, data) {
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

// TestPythonICalendar parses the file with a real iCalendar parser
// (Debian python3-icalendar) and checks what it reads back.
func TestPythonICalendar(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		t.Skip("python3-icalendar not installed (apt-get install python3-icalendar)")
	}
	dir := t.TempDir()
	ics := filepath.Join(dir, "maintenance.ics")
	if err := os.WriteFile(ics, render(t, example(t, clock)), 0o644); err != nil {
		t.Fatal(err)
	}
	const script = `
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal['VERSION'] == '2.0', cal['VERSION']
assert cal['METHOD'] == 'PUBLISH'
for ev in cal.walk('VEVENT'):
    print(ev['UID'], ev.decoded('DTSTART').isoformat(), ev.decoded('DTEND').isoformat(), ev.decoded('DTSTAMP').isoformat(), ev['SUMMARY'], sep='|')
    print(str(ev['DESCRIPTION']).replace('\n', '\\n'))
`
	out, err := exec.Command(py, "-c", script, ics).CombinedOutput()
	if err != nil {
		t.Fatalf("python icalendar: %v\n%s", err, out)
	}
	got := string(out)
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
