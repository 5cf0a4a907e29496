package notify

import (
	"slices"

	"github.com/herald-status/herald/generator/incident"
)

// wants reports whether the webhook's filter lets ev through: its type is
// among events, it affects one of components, and an incident's impact is
// at least min_impact. An empty key lets everything through.
//
// min_impact does not apply to maintenance: a maintenance notice has no
// impact ("none"), and a channel that asks for major incidents only still
// expects to hear of planned downtime; `events:` is the key that leaves
// maintenance out.
func (h hook) wants(ev Event) bool {
	if len(h.Events) > 0 && !slices.Contains(h.Events, string(ev.Type)) {
		return false
	}
	if ev.Component != nil {
		// An slo.burn is no incident and has no impact: a channel that
		// does not want it leaves it out with events:.
		//
		// A confirmed outage is the page's major_outage, whose impact is
		// critical: it passes every min_impact, and so does its end. A
		// degraded spell is degraded_performance, impact minor, and its
		// end goes with it, so a channel never hears of an end alone.
		if len(h.Components) > 0 && !slices.Contains(h.Components, ev.Component.ID) {
			return false
		}
		slow := ev.Component.State == "degraded" || (ev.Type == ComponentUp && ev.Component.Previous == "degraded")
		return !slow || h.MinImpact == "" || incident.Impact(h.MinImpact).Rank() <= incident.ImpactMinor.Rank()
	}
	if len(h.Components) > 0 && !slices.ContainsFunc(ev.Incident.Components, func(c Component) bool {
		return slices.Contains(h.Components, c.ID)
	}) {
		return false
	}
	if h.MinImpact != "" && ev.Incident.Kind != string(incident.KindMaintenance) &&
		incident.Impact(ev.Incident.Impact).Rank() < incident.Impact(h.MinImpact).Rank() {
		return false
	}
	return true
}
