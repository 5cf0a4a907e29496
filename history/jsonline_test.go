package history

import (
	"testing"
)

// decodeCases are lines for the fast decoder, each either decoded by it
// or left to encoding/json; also the fuzz seeds.
var decodeCases = []string{
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":84.2,"status":200,"error":"","region":"us"}`,
	`{"component":"api","time":"2026-11-28T15:00:00.25Z","ok":false,"latency_ms":0,"status":503,"error":"status 503, want 2xx"}`,
	` { "ok" : true , "time" : "2026-02-28T23:59:59Z" , "component" : "api" } `,
	`{"component":"api","time":"2026-11-28T15:00:00+01:00","ok":true}`,
	`{"component":"api","time":"2026-02-29T15:00:00Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T24:00:00Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T15:00:00.1234567891Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T15:00:00.Z","ok":true}`,
	`{"component":"api","time":"2026-11-28t15:00:00z","ok":true}`,
	`{"component":"api","time":"yesterday","ok":true}`,
	`{"component":"a\u0070i","time":"2026-11-28T15:00:00Z","ok":true}`,
	`{"component":"ápi","time":"2026-11-28T15:00:00Z","ok":true}`,
	"{\"component\":\"a\xffi\",\"time\":\"2026-11-28T15:00:00Z\",\"ok\":true}",
	`{"Component":"api","time":"2026-11-28T15:00:00Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"colour":1}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":null}`,
	`{"component":null,"time":"2026-11-28T15:00:00Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"status":200.0}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"status":-1}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":1e400}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":-0.5e-3}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":012}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":1.}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,"latency_ms":"5"}`,
	`{"component":"api","component":"web","time":"2026-11-28T15:00:00Z","ok":true}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true}{}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":true,}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z"}`,
	`{"component":"api","time":"2026-11-28T15:00:00Z","ok":tru}`,
	`{}`,
	`[]`,
	``,
}

// FuzzDecodeLine checks that the fast decoder never disagrees with
// encoding/json: when it decodes a line, the slow path decodes it to the
// same result.
func FuzzDecodeLine(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		in := &interner{}
		fast, ok := decodeLine(line, in)
		if !ok {
			return
		}
		slow, err := parseJSONLineSlow(line)
		if err != nil {
			t.Fatalf("%q: the fast path decoded %+v, encoding/json says %v", line, fast, err)
		}
		if fast.Component != slow.Component || !fast.Time.Equal(slow.Time) || fast.OK != slow.OK || fast.LatencyMS != slow.LatencyMS ||
			fast.Status != slow.Status || fast.Error != slow.Error || fast.Region != slow.Region {
			t.Fatalf("%q:\nfast %+v\nslow %+v", line, fast, slow)
		}
	})
}

// TestDecodeLineFast checks that the usual lines do take the fast path.
func TestDecodeLineFast(t *testing.T) {
	for _, c := range decodeCases[:4] {
		if _, ok := decodeLine([]byte(c), &interner{}); !ok {
			t.Errorf("%s: took the slow path, want the fast one", c)
		}
	}
	// Allocation-free but for the interned strings, once they are known.
	in := &interner{}
	line := []byte(decodeCases[0])
	decodeLine(line, in)
	if n := testing.AllocsPerRun(100, func() { decodeLine(line, in) }); n != 0 {
		t.Errorf("%v allocations a line, want 0", n)
	}
}
