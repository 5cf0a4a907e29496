package notify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/redact"
)

// Component events: a change of a component's confirmed probe state.
const (
	ComponentDown     Type = "component.down"
	ComponentDegraded Type = "component.degraded"
	ComponentUp       Type = "component.up"
)

// componentLookback is how far back Observe reads the confirmed states. A
// change older than that is not news; a notifier stopped for longer
// catches up on incidents but not on probe changes.
const componentLookback = 7 * 24 * time.Hour

// ComponentChange is what a component event says of its component.
type ComponentChange struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	URL   string `json:"url"`             // the component's page
	State string `json:"state,omitempty"` // down, degraded or up; none in an slo.burn
	// Previous is the confirmed state before, when one was known: an up
	// event says whether it ends an outage or a slow spell.
	Previous string `json:"previous,omitempty"`
	// Since is when the confirmed state began: the first result of the
	// run that confirmed it.
	Since time.Time `json:"since,omitzero"`
	// Error is what the check said at Since, when it failed, with any URL
	// cut to its scheme and host; for a degraded state, how slow it was.
	Error string `json:"error,omitempty"`
	// UptimeToday is the uptime of the day's bar on the page, in percent;
	// null when the day has no known time yet.
	UptimeToday *float64 `json:"uptime_today"`
	// Draft is the incident file written for a down event, when
	// notify.draft_incidents is on.
	Draft *Draft `json:"draft,omitempty"`
}

// Draft is a draft incident file herald wrote.
type Draft struct {
	File string `json:"file"` // relative to the site folder, e.g. incidents/….md
	Text string `json:"text"`
}

// componentCandidates lists the events implied by each probed component's
// confirmed states in the embedded history store over the lookback
// window. They come from the store, not from the snapshot's current
// state, so that a state that began and ended between two runs is still
// told, and herald notify, watch and run tell the same ones whoever
// recorded the results. A site whose history is in Prometheus, or has no
// store yet, has none.
func componentCandidates(ctx context.Context, cfg *config.Config, snap *status.Snapshot) ([]candidate, error) {
	if cfg.History.Source == "prometheus" {
		return nil, nil
	}
	if _, err := os.Stat(cfg.HistoryPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	st, err := history.OpenReadOnly(cfg.HistoryPath(), history.OptionsFor(cfg))
	if err != nil {
		return nil, fmt.Errorf("read probe history: %w", err)
	}
	defer st.Close()
	now := snap.Now
	var out []candidate
	for i := range cfg.Components {
		c := &cfg.Components[i]
		if !c.HasProbe() {
			continue
		}
		ivs, err := st.Intervals(ctx, c.ID, now.Add(-componentLookback), now)
		if err != nil {
			return nil, fmt.Errorf("read probe history of %s: %w", c.ID, err)
		}
		// The first interval is cut at the window's start, so its start
		// is not when its state began: it only says what came before.
		prev := history.NoData
		for j, iv := range ivs {
			if iv.State == history.NoData {
				continue // a silent monitor changes nothing known
			}
			// Coming back after a silence is news unless it is up.
			changed := iv.State != prev && (prev != history.NoData || iv.State != history.Up)
			before := prev
			prev = iv.State
			if j == 0 || !changed {
				continue
			}
			cand, err := componentCandidate(ctx, st, snap, c, iv, before)
			if err != nil {
				return nil, err
			}
			out = append(out, cand)
		}
	}
	return out, nil
}

func componentCandidate(ctx context.Context, st *history.Store, snap *status.Snapshot, c *config.Component, iv history.Interval, before history.State) (candidate, error) {
	typ := ComponentUp
	switch iv.State {
	case history.Down:
		typ = ComponentDown
	case history.Degraded:
		typ = ComponentDegraded
	}
	since := iv.Start.UTC()
	key := "component/" + c.ID + "/" + iv.State.String() + "/" + since.Format(time.RFC3339Nano)
	ch := &ComponentChange{
		ID:    c.ID,
		Name:  c.Name,
		URL:   snap.Site.BaseURL + render.ComponentPath(c.ID),
		State: iv.State.String(),
		Since: since,
	}
	if before != history.NoData {
		ch.Previous = before.String()
	}
	if iv.State == history.Down || iv.State == history.Degraded {
		r, ok, err := st.Latest(ctx, c.ID, iv.Start)
		if err != nil {
			return candidate{}, fmt.Errorf("read probe history of %s: %w", c.ID, err)
		}
		switch {
		case !ok:
		case iv.State == history.Down && !r.OK:
			// The prober keeps targets out of its errors, but an
			// imported result's error is whatever its file said.
			ch.Error = redact.Text(r.Error, redact.Endpoint)
		case iv.State == history.Degraded && r.OK:
			// In the words of the probe's own max_latency failure.
			lat := time.Duration(r.LatencyMS * float64(time.Millisecond)).Round(time.Millisecond)
			ch.Error = fmt.Sprintf("latency %s, slower than %s", lat, config.FormatDuration(c.Probe.DegradedOver))
		}
	}
	if sc := snap.Component(c.ID); sc != nil {
		ch.UptimeToday = uptimeToday(sc)
	}
	ev := Event{
		ID:        eventID(snap.Site.BaseURL, key),
		Type:      typ,
		Time:      since,
		Site:      Site{Title: snap.Site.Title, URL: snap.Site.BaseURL},
		Component: ch,
	}
	return candidate{key: key, slug: "component/" + c.ID, event: ev}, nil
}

// uptimeToday is the uptime of the component's bar for today, in percent
// as the page prints it (two decimals, never rounded up to 100), or nil
// when the day has no known time yet.
func uptimeToday(sc *status.Component) *float64 {
	if len(sc.Days) == 0 {
		return nil
	}
	today := sc.Days[len(sc.Days)-1]
	if !today.HasValue {
		return nil
	}
	pct := uptime.Floor(today.Uptime, today.Down) / 100
	return &pct
}
