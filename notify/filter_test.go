package notify

import (
	"strings"
	"testing"

	"github.com/herald-status/herald/config"
)

func TestWants(t *testing.T) {
	minorAPI := Event{Type: IncidentCreated, Incident: Incident{Kind: "incident", Impact: "minor", Components: []Component{{ID: "api"}}}}
	criticalWeb := Event{Type: IncidentResolved, Incident: Incident{Kind: "incident", Impact: "critical", Components: []Component{{ID: "web"}, {ID: "db"}}}}
	noComponents := Event{Type: IncidentUpdated, Incident: Incident{Kind: "incident", Impact: "major", Components: []Component{}}}
	apiDown := Event{Type: ComponentDown, Component: &ComponentChange{ID: "api", State: "down"}}
	apiSlow := Event{Type: ComponentDegraded, Component: &ComponentChange{ID: "api", State: "degraded", Previous: "up"}}
	apiFast := Event{Type: ComponentUp, Component: &ComponentChange{ID: "api", State: "up", Previous: "degraded"}}
	apiRecovered := Event{Type: ComponentUp, Component: &ComponentChange{ID: "api", State: "up", Previous: "down"}}
	apiBurn := Event{Type: SLOBurn, Component: &ComponentChange{ID: "api"}, SLO: &Burn{Threshold: 50}}
	maintWeb := Event{Type: MaintenanceScheduled, Incident: Incident{Kind: "maintenance", Impact: "none", Components: []Component{{ID: "web"}}}}
	tests := []struct {
		name   string
		filter config.Webhook
		ev     Event
		want   bool
	}{
		{"no filter", config.Webhook{}, minorAPI, true},
		{"slo.burn of a listed component", config.Webhook{Components: []string{"api"}}, apiBurn, true},
		{"slo.burn of another component", config.Webhook{Components: []string{"web"}}, apiBurn, false},
		{"slo.burn listed", config.Webhook{Events: []string{"slo.burn"}}, apiBurn, true},
		{"slo.burn not listed", config.Webhook{Events: []string{"component.down"}}, apiBurn, false},
		{"slo.burn passes min_impact", config.Webhook{MinImpact: "critical"}, apiBurn, true},
		{"component listed", config.Webhook{Components: []string{"api"}}, minorAPI, true},
		{"component not listed", config.Webhook{Components: []string{"web"}}, minorAPI, false},
		{"one of several components", config.Webhook{Components: []string{"db"}}, criticalWeb, true},
		{"no component against a components filter", config.Webhook{Components: []string{"api"}}, noComponents, false},
		{"event listed", config.Webhook{Events: []string{"incident.created", "incident.resolved"}}, criticalWeb, true},
		{"event not listed", config.Webhook{Events: []string{"incident.created"}}, criticalWeb, false},
		{"impact below", config.Webhook{MinImpact: "major"}, minorAPI, false},
		{"impact equal", config.Webhook{MinImpact: "major"}, noComponents, true},
		{"impact above", config.Webhook{MinImpact: "major"}, criticalWeb, true},
		{"min_impact lets maintenance through", config.Webhook{MinImpact: "critical"}, maintWeb, true},
		{"events leaves maintenance out", config.Webhook{MinImpact: "critical", Events: []string{"incident.created"}}, maintWeb, false},
		{"every key must agree", config.Webhook{Components: []string{"web"}, Events: []string{"incident.resolved"}, MinImpact: "critical"}, criticalWeb, true},
		{"component event of a listed component", config.Webhook{Components: []string{"api"}}, apiDown, true},
		{"component event of another component", config.Webhook{Components: []string{"web"}}, apiDown, false},
		{"a confirmed outage passes every min_impact", config.Webhook{MinImpact: "critical"}, apiDown, true},
		{"component.degraded listed", config.Webhook{Events: []string{"component.degraded"}}, apiSlow, true},
		{"component.degraded not listed", config.Webhook{Events: []string{"component.down", "component.up"}}, apiSlow, false},
		{"degraded is minor: passes min_impact minor", config.Webhook{MinImpact: "minor"}, apiSlow, true},
		{"degraded is minor: below min_impact major", config.Webhook{MinImpact: "major"}, apiSlow, false},
		{"the end of a slow spell goes with it", config.Webhook{MinImpact: "major"}, apiFast, false},
		{"the end of an outage goes with it", config.Webhook{MinImpact: "critical"}, apiRecovered, true},
		{"degraded of another component", config.Webhook{Components: []string{"web"}}, apiSlow, false},
		{"events leaves component events out", config.Webhook{Events: []string{"incident.created"}}, apiDown, false},
		{"one key disagrees", config.Webhook{Components: []string{"web"}, Events: []string{"incident.resolved"}, MinImpact: "critical"}, minorAPI, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (hook{Webhook: tt.filter}).wants(tt.ev); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFilterEventNames keeps the event types herald.yaml accepts in
// filters (config.NotifyEvents) the same as those notify sends.
func TestFilterEventNames(t *testing.T) {
	var sent []string
	for _, typ := range []Type{IncidentCreated, IncidentUpdated, IncidentResolved, MaintenanceScheduled, MaintenanceUpdated, MaintenanceStarted, MaintenanceCompleted, ComponentDown, ComponentDegraded, ComponentUp, SLOBurn} {
		sent = append(sent, string(typ))
	}
	if got, want := strings.Join(config.NotifyEvents, " "), strings.Join(sent, " "); got != want {
		t.Errorf("got config.NotifyEvents %s, want %s", got, want)
	}
}
