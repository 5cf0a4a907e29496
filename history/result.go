// Package history stores probe results and the roll-ups that uptime is
// computed from.
package history

import "time"

// Result is one probe result: the unit that probes record, import reads
// and export writes (one JSON object a line, with these field names).
type Result struct {
	Component string    `json:"component"`
	Time      time.Time `json:"time"`
	OK        bool      `json:"ok"`
	LatencyMS float64   `json:"latency_ms"`
	Status    int       `json:"status,omitempty"` // HTTP status code, when there is one
	Error     string    `json:"error,omitempty"`
	Region    string    `json:"region,omitempty"`
}
