package migrate

import (
	"reflect"
	"testing"
)

func TestIncidentComponents(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want any
	}{
		{"none", nil, nil},
		{"statuses", map[string]string{"api": "major_outage"}, map[string]string{"api": "major_outage"}},
		{"named only: the list form", map[string]string{"web": "", "api": ""}, []string{"api", "web"}},
		{"a missing status takes the worst beside it", map[string]string{"api": "partial_outage", "web": "", "db": "degraded_performance"},
			map[string]string{"api": "partial_outage", "web": "partial_outage", "db": "degraded_performance"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := incidentComponents(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
