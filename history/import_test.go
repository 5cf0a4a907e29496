package history

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestImportQuotesAShortPrefix checks every message that quotes a bad
// value: a value of 60 KB (within the line cap) is quoted by its first
// maxQuoted bytes, never whole.
func TestImportQuotesAShortPrefix(t *testing.T) {
	x, digits := strings.Repeat("x", 60_000), strings.Repeat("1", 60_000)
	const header = "component,time,ok,latency_ms,status\n"
	tests := []struct {
		name, file, in, want string
	}{
		{"JSON time", "r.jsonl", `{"component":"api","time":"` + x + `","ok":true}`, `r.jsonl:1: time "xxxxxxxx`},
		{"JSON component", "r.jsonl", `{"component":"` + x + `","time":"2026-11-01T00:00:00Z","ok":true}`, `r.jsonl:1: unknown component "xxxx`},
		{"JSON unknown field", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"` + x + `":1}`, `r.jsonl:1: invalid JSON: json: unknown field "xxxx`},
		{"JSON status", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"status":` + digits + `}`, `r.jsonl:1: invalid JSON: "status"`},
		{"JSON latency", "r.jsonl", `{"component":"api","time":"2026-11-01T00:00:00Z","ok":true,"latency_ms":` + digits + `}`, `r.jsonl:1: invalid JSON: "latency_ms"`},
		{"JSON syntax", "r.jsonl", `{"component":"api",` + x, `r.jsonl:1: invalid JSON`},
		{"CSV column", "r.csv", "component,time,ok," + x + "\n", `r.csv:1: unknown CSV column "xxxx`},
		{"CSV time", "r.csv", header + "api," + x + ",true,1,200\n", `r.csv:2: time "xxxx`},
		{"CSV component", "r.csv", header + x + ",2026-11-01T00:00:00Z,true,1,200\n", `r.csv:2: unknown component "xxxx`},
		{"CSV ok", "r.csv", header + "api,2026-11-01T00:00:00Z," + x + ",1,200\n", `r.csv:2: ok "xxxx`},
		{"CSV latency", "r.csv", header + "api,2026-11-01T00:00:00Z,true," + x + ",200\n", `r.csv:2: latency_ms "xxxx`},
		{"CSV status", "r.csv", header + "api,2026-11-01T00:00:00Z,true,1," + digits + "\n", `r.csv:2: status "1111`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, sampleOpts)
			_, err := s.Import(context.Background(), strings.NewReader(tt.in), tt.file, importNow, nil)
			var ie *ImportError
			if !errors.As(err, &ie) || len(ie.Lines) != 1 {
				t.Fatalf("got %.300v, want one bad line", err)
			}
			msg := ie.Lines[0].Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("got %.300q, want it to start %q", msg, tt.want)
			}
			if strings.Contains(msg, strings.Repeat("x", maxQuoted+1)) || strings.Contains(msg, strings.Repeat("1", maxQuoted+1)) || len(msg) > 300 {
				t.Errorf("got %d bytes, quoting more than %d bytes of the value: %.300q", len(msg), maxQuoted, msg)
			}
		})
	}
}
