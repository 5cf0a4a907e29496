package incident

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Time formats an author may write. RFC 3339 names its own offset; the
// others are wall-clock times in the site's timezone.
var localLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"}

const timeHint = "use RFC 3339 such as 2026-03-09T07:52:00-08:00, or `2026-03-09 07:52` in the site timezone"

// parseTime reads a front-matter time: RFC 3339, or a local wall-clock time
// in loc.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	return inRange(parseAnyTime(s, loc))
}

// inRange refuses years no incident has: they are typos, and times near
// year 0 cannot be written back in every format.
func inRange(t time.Time, err error) (time.Time, error) {
	if err == nil && (t.UTC().Year() < 1970 || t.UTC().Year() > 9999) {
		return time.Time{}, fmt.Errorf("invalid time %s: the year is out of range", t.Format("2006-01-02 15:04"))
	}
	return t, err
}

func parseAnyTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range localLayouts {
		if wall, err := time.Parse(layout, s); err == nil {
			return resolveWall(wall, loc)
		} else if rangeErr := outOfRange(err); rangeErr != nil {
			return time.Time{}, rangeErr
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q", s)
}

// outOfRange keeps time.Parse's "day out of range" and friends, which say
// more than "invalid time" about 2026-02-30. Their text starts with its own
// ": ".
func outOfRange(err error) error {
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
		return fmt.Errorf("invalid time %q: %s", pe.Value, strings.TrimPrefix(pe.Message, ": "))
	}
	return nil
}

// resolveWall finds the instant at which loc's clocks read wall (whose own
// zone is ignored). time.Date picks either side of a transition without
// saying which, so the candidates are tried explicitly: a wall time in a
// gap (spring forward) has none and is an error; one in an overlap (fall
// back) has two and takes the earlier, as the issue tracker and most
// calendars do.
func resolveWall(wall time.Time, loc *time.Location) (time.Time, error) {
	y, mo, d := wall.Date()
	h, mi, sec := wall.Clock()
	asUTC := time.Date(y, mo, d, h, mi, sec, 0, time.UTC)
	var found []time.Time
	seen := map[int]bool{}
	// Transitions are at most a day apart from the wall time in any real
	// zone, so the offsets in force a day either side cover both readings.
	for _, probe := range []time.Time{asUTC.Add(-26 * time.Hour), asUTC, asUTC.Add(26 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		cand := asUTC.Add(-time.Duration(off) * time.Second)
		cy, cmo, cd := cand.In(loc).Date()
		ch, cmi, csec := cand.In(loc).Clock()
		if cy == y && cmo == mo && cd == d && ch == h && cmi == mi && csec == sec {
			found = append(found, cand)
		}
	}
	if len(found) == 0 {
		return time.Time{}, fmt.Errorf("%s does not exist in %s: the clocks skip it for daylight saving time", wall.Format("2006-01-02 15:04"), loc)
	}
	earliest := found[0]
	for _, t := range found[1:] {
		if t.Before(earliest) {
			earliest = t
		}
	}
	return earliest.In(loc), nil
}

// splitHeadingTime splits "2012-03-09 07:52 PST" into the wall time and
// an optional zone: Z, a numeric offset, or after white space an
// abbreviation or UTC. It is the regular expression
// `^(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(Z|[+-]\d{2}(?::?\d{2})?|\s[A-Za-z][A-Za-z0-9]*))?$`
// (which its tests hold it to, its zone without white space) written
// out, for the heading of every update.
func splitHeadingTime(s string) (wall, zone string, ok bool) {
	if len(s) < 11 || !allDigits(s[0:4]) || s[4] != '-' || !allDigits(s[5:7]) || s[7] != '-' || !allDigits(s[8:10]) || s[10] != ' ' && s[10] != 'T' {
		return "", "", false
	}
	i, ok := digits(s, 11, 1, 2) // the hour
	if !ok || i == len(s) || s[i] != ':' {
		return "", "", false
	}
	if i, ok = digits(s, i+1, 2, 2); !ok {
		return "", "", false
	}
	if i < len(s) && s[i] == ':' {
		if i, ok = digits(s, i+1, 2, 2); !ok {
			return "", "", false
		}
	}
	wall, rest := s[:i], s[i:]
	j := 0
	for j < len(rest) && isSpace(rest[j]) {
		j++
	}
	zone = rest[j:]
	switch {
	case rest == "", zone == "Z":
		return wall, zone, true
	case zone != "" && (zone[0] == '+' || zone[0] == '-'):
		k, ok := digits(zone, 1, 2, 2)
		if ok && k < len(zone) {
			if zone[k] == ':' {
				k++
			}
			k, ok = digits(zone, k, 2, 2)
		}
		if !ok || k != len(zone) {
			return "", "", false
		}
		return wall, zone, true
	case j == 0 || zone == "" || !isLetter(zone[0]):
		return "", "", false
	}
	for k := 1; k < len(zone); k++ {
		if !isLetter(zone[k]) && !allDigits(zone[k:k+1]) {
			return "", "", false
		}
	}
	return wall, zone, true
}

// digits is the end of the ASCII digits at s[i:], at least least and at
// most most of them.
func digits(s string, i, least, most int) (int, bool) {
	j := i
	for j < len(s) && j-i < most && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j, j-i >= least
}

func allDigits(s string) bool {
	_, ok := digits(s, 0, len(s), len(s))
	return ok
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

var offsetRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([+-])(\d{2}):?(\d{2})?$`) })

// parseHeadingTime reads the timestamp of a timeline heading. The zone may
// be UTC, a numeric offset or an abbreviation the site's own timezone uses
// around that date; any other abbreviation is refused, because Go's
// time.Parse would silently read it as UTC+0.
func parseHeadingTime(s string, loc *time.Location) (time.Time, error) {
	return inRange(parseAnyHeadingTime(s, loc))
}

func parseAnyHeadingTime(s string, loc *time.Location) (time.Time, error) {
	wallText, zone, ok := splitHeadingTime(strings.TrimSpace(s))
	if !ok {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("invalid time %q", s)
	}
	wallText = strings.Replace(wallText, "T", " ", 1)
	var wall time.Time
	var err error
	for _, layout := range localLayouts[:2] {
		if wall, err = time.Parse(layout, wallText); err == nil {
			break
		}
	}
	if err != nil {
		if rangeErr := outOfRange(err); rangeErr != nil {
			return time.Time{}, rangeErr
		}
		return time.Time{}, fmt.Errorf("invalid time %q", s)
	}
	switch {
	case zone == "":
		return resolveWall(wall, loc)
	case zone == "Z" || strings.EqualFold(zone, "UTC"):
		return wall, nil
	case offsetRE().MatchString(zone):
		om := offsetRE().FindStringSubmatch(zone)
		hours := int(om[2][0]-'0')*10 + int(om[2][1]-'0')
		mins := 0
		if om[3] != "" {
			mins = int(om[3][0]-'0')*10 + int(om[3][1]-'0')
		}
		off := hours*3600 + mins*60
		if om[1] == "-" {
			off = -off
		}
		return wall.Add(-time.Duration(off) * time.Second).In(time.FixedZone(zone, off)), nil
	}
	abbrevs := zoneAbbrevs(loc, wall)
	if off, ok := abbrevs[zone]; ok {
		return wall.Add(-time.Duration(off) * time.Second).In(loc), nil
	}
	return time.Time{}, &zoneError{zone: zone, loc: loc, known: abbrevs}
}

// zoneError is an abbreviation the site's timezone does not use.
type zoneError struct {
	zone  string
	loc   *time.Location
	known map[string]int
}

func (e *zoneError) Error() string {
	return fmt.Sprintf("unknown time zone abbreviation %q: the site timezone %s uses %s", e.zone, e.loc, strings.Join(slices.Sorted(maps.Keys(e.known)), " and "))
}

// fix suggests the numeric offset the author probably meant, when the
// abbreviation is a well-known one.
func (e *zoneError) fix() string {
	if off, ok := wellKnown[strings.ToUpper(e.zone)]; ok {
		return fmt.Sprintf("write the offset instead, e.g. %s for %s, or UTC", formatOffset(off), strings.ToUpper(e.zone))
	}
	return "write a numeric offset such as -05:00, or UTC"
}

// wellKnown abbreviations, used only to suggest an offset in an error.
var wellKnown = map[string]int{
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"GMT": 0, "BST": 3600, "CET": 3600, "CEST": 2 * 3600, "EET": 2 * 3600,
	"EEST": 3 * 3600, "IST": 5*3600 + 1800, "JST": 9 * 3600, "AEST": 10 * 3600, "AEDT": 11 * 3600,
}

func formatOffset(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

// zoneAbbrevs maps the abbreviations loc uses in the year around t to their
// offsets (PST → -8h and PDT → -7h for America/Los_Angeles).
func zoneAbbrevs(loc *time.Location, t time.Time) map[string]int {
	out := map[string]int{}
	for d := -370; d <= 370; d += 15 {
		name, off := t.AddDate(0, 0, d).In(loc).Zone()
		out[name] = off
	}
	return out
}
