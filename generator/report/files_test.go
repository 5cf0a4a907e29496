package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/history"
)

// TestCSVSumsToMonth reads the CSV back and checks that each component's
// daily rows add up to the month's figures in the JSON, across a DST day
// and a partial outage weighted by a third.
func TestCSVSumsToMonth(t *testing.T) {
	in := Input{
		Components: []Component{{ID: "api", Name: "API", Probed: true}, {ID: "docs", Name: "Docs"}},
		Incidents: []*incident.Incident{
			outage("db", incident.MajorOutage, at(la, 11, 1, 0), at(la, 11, 1, 5)),
			outage("slow", incident.PartialOutage, time.Date(2026, 11, 3, 7, 0, 7, 0, la), at(la, 11, 3, 9)),
			maintenance("swap", at(la, 11, 10, 1), at(la, 11, 10, 2)),
		},
		Intervals: map[string][]history.Interval{"api": {
			iv(history.Up, at(la, 11, 1, 0), time.Date(2026, 11, 4, 10, 0, 13, 0, la)),
			iv(history.Down, time.Date(2026, 11, 4, 10, 0, 13, 0, la), at(la, 11, 4, 11)),
			iv(history.Up, at(la, 11, 4, 11), at(la, 11, 20, 0)),
		}},
		PartialWeight: 1.0 / 3, MinCoverage: 0.5, Loc: la, Now: at(la, 11, 28, 15),
	}
	m := Months(in)[0]
	var csvOut, jsonOut bytes.Buffer
	if err := WriteCSV(&csvOut, m); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&jsonOut, m, in.PartialWeight, func(s string) string { return "https://x/" + s }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatalf("read the CSV back: %v", err)
	}
	var doc struct {
		Components []map[string]any `json:"components"`
	}
	if err := json.Unmarshal(jsonOut.Bytes(), &doc); err != nil {
		t.Fatalf("read the JSON back: %v", err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if got, want := len(rows)-1, 2*28; got != want {
		t.Fatalf("got %d rows, want %d (two components, 28 days to date)", got, want)
	}
	for _, c := range doc.Components {
		for _, name := range []string{"observed_minutes", "down_minutes", "partial_minutes", "maintenance_minutes", "no_data_minutes"} {
			t.Run(c["id"].(string)+"/"+name, func(t *testing.T) {
				var sum float64
				n := 0
				for _, r := range rows[1:] {
					if r[col["component"]] != c["id"] {
						continue
					}
					v, err := strconv.ParseFloat(r[col[name]], 64)
					if err != nil {
						t.Fatalf("got %q, want a number", r[col[name]])
					}
					sum += v
					n++
				}
				want := c[name].(float64)
				if math.Abs(sum-want) > 0.01*float64(n) {
					t.Errorf("got daily rows summing to %v, want %v", sum, want)
				}
			})
		}
	}
	if got := doc.Components[0]["down_minutes"].(float64); got == 0 {
		t.Errorf("got no downtime for api, want some")
	}
}

func TestFilesAreDeterministic(t *testing.T) {
	in := randomInput(rand.New(rand.NewPCG(5, 6)))
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		for _, m := range Months(in) {
			if err := WriteCSV(buf, m); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(buf, m, in.PartialWeight, func(s string) string { return s }); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("got two different outputs of the same months, want the same bytes")
	}
}
