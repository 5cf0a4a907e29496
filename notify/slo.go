package notify

import (
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// SLOBurn is sent when a component has spent half, then all, of its SLO
// window's error budget.
const SLOBurn Type = "slo.burn"

// burnThresholds are the shares of the budget, in percent, that send an
// slo.burn, lowest first.
var burnThresholds = []int{50, 100}

// rearmBelow is how far, in percentage points, the budget used must fall
// back below a threshold before a rolling window may send it again: a
// budget hovering at 50 % must not send an event at each publish.
const rearmBelow = 10

// Burn is what an slo.burn event says of the objective: the threshold
// crossed and the budget as the component page and herald's API show it.
type Burn struct {
	// Threshold is the share of the budget crossed, in percent: 50 or 100.
	Threshold int `json:"threshold"`
	api.SLO
}

// sloCandidates lists the slo.burn events the snapshot's budgets imply.
// held maps "component/threshold" to the start of the rolling window in
// which that threshold was last sent, while the budget used has not
// fallen back below it by rearmBelow; it is updated in place. A calendar
// month's window start never moves, so its key alone sends each threshold
// once a month; a rolling window's start moves every day, so the key
// keeps the start held since the crossing instead.
func sloCandidates(snap *status.Snapshot, held map[string]string) []candidate {
	var out []candidate
	for _, c := range snap.Components {
		b := c.SLO
		// Not measurable says nothing of the budget: nothing is sent, and
		// a rolling window's held thresholds stay as they were.
		if b == nil || b.State == slo.NotMeasurable {
			continue
		}
		burned := b.Burned() * 100
		start := b.Start.UTC().Format(time.RFC3339)
		var keys []string
		top := 0
		for _, t := range burnThresholds {
			hk := c.ID + "/" + strconv.Itoa(t)
			from, ok := held[hk]
			switch {
			case b.Window == config.Month:
				from = start
			case burned >= float64(t-rearmBelow) && ok:
			case burned >= float64(t):
				from = start
				held[hk] = from
			default:
				delete(held, hk)
			}
			if burned < float64(t) {
				continue
			}
			keys = append(keys, "slo/"+c.ID+"/"+from+"/"+strconv.Itoa(t))
			top = t
		}
		if top == 0 {
			continue
		}
		// A budget found past both thresholds at once is one message, the
		// last; the other is recorded as told.
		key := keys[len(keys)-1]
		ev := Event{
			ID:   eventID(snap.Site.BaseURL, key),
			Type: SLOBurn,
			Time: snap.Now.UTC(),
			Site: Site{Title: snap.Site.Title, URL: snap.Site.BaseURL},
			Component: &ComponentChange{
				ID: c.ID, Name: c.Name, URL: snap.Site.BaseURL + render.ComponentPath(c.ID),
				UptimeToday: uptimeToday(c),
			},
			SLO: &Burn{Threshold: top, SLO: api.NewSLO(*b)},
		}
		out = append(out, candidate{key: key, slug: "slo/" + c.ID, event: ev, also: keys[:len(keys)-1]})
	}
	return out
}

// burnHeadline is an slo.burn in one line, e.g. "API has used half of its
// error budget for November (21.6 of 43.2 min)"; name is the component's
// name, already escaped.
func burnHeadline(l *i18n.Locale, ev Event, name string) string {
	b := ev.SLO
	share := "half"
	if b.Threshold >= 100 {
		share = "all"
	}
	args := []any{"component", name, "used", tenths(l, b.UsedSeconds), "allowed", tenths(l, b.AllowedSeconds)}
	if b.Window == config.Month {
		// The month of the site's timezone: its start, a day later, is
		// inside it wherever the site is.
		from, _ := time.Parse(time.RFC3339, b.From)
		return l.T("notify.slo_"+share+"_month", append(args, "month", l.Month(from.Add(24*time.Hour)))...)
	}
	days, _ := strconv.Atoi(strings.TrimSuffix(b.Window, "d"))
	return l.N("notify.slo_"+share+"_days", days, args...)
}

// tenths is whole seconds as minutes with one decimal, as the page prints
// them.
func tenths(l *i18n.Locale, s *int64) string {
	if s == nil {
		return "?"
	}
	t := (*s*10 + 30) / 60
	return l.Number(float64(t)/10, 1)
}

// leftWords is the budget left in words, e.g. "21.6 min" or "over by
// 5.1 min".
func leftWords(l *i18n.Locale, b *Burn) string {
	if b.LeftSeconds == nil {
		return l.T("notify.slo_left_not_measurable")
	}
	if left := *b.LeftSeconds; left < 0 {
		left = -left
		return l.T("notify.slo_left_over", "minutes", tenths(l, &left))
	}
	return l.T("notify.slo_left", "minutes", tenths(l, b.LeftSeconds))
}

// sloState is the objective's state in words, as the component page says
// it: "On track" while a window that meets its target is still running.
func sloState(l *i18n.Locale, b *Burn) string {
	if b.State == string(slo.Met) && b.WindowElapsed < 100 {
		return l.T("notify.slo_state.on_track")
	}
	return enumWords(l, "notify.slo_state.", b.State)
}
