package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleRecord is a record with every field herald writes: months with
// and without the site's figure, revisions with and without one and
// without components, words beyond ASCII, and numbers at int64's ends.
func sampleRecord() *Record {
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	fig := func(id, uptime string, down int64) PublishedFigure {
		return PublishedFigure{ID: id, Uptime: uptime, DownMinutes: down, ObservedMinutes: 44640, MaintenanceMinutes: 30}
	}
	site := fig("", "99,95\u00a0%", 22)
	return &Record{Version: recordVersion, Months: map[string]*Published{
		"2026-09": {At: at, Components: []PublishedFigure{fig("api", "no data", 0)}},
		"2026-10": {At: at.Add(24 * time.Hour), Components: []PublishedFigure{fig("api", "99.95%", 22), fig("web-1", "100%", -9223372036854775808)}, Site: &site,
			Revisions: []Revision{
				{At: at, From: []PublishedFigure{fig("api", "100%", 9223372036854775807)}, Site: &site},
				{At: at.Add(time.Hour), From: []PublishedFigure{}},
				{At: at.Add(2 * time.Hour), Site: &site}, // the site's figure alone: from is null
			}},
		"2026-11": {At: at.Add(48 * time.Hour), Components: []PublishedFigure{}},
	}}
}

// FuzzDecodeRecord holds decodeRecord to json.Unmarshal: whatever it
// decodes, json.Unmarshal decodes too, to the same record.
func FuzzDecodeRecord(f *testing.F) {
	indented, err := json.MarshalIndent(sampleRecord(), "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	compact, err := json.Marshal(sampleRecord())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(indented), string(compact), `{"version":1,"months":{}}`, ` {"months" : {} , "version" : 1 } `,
		`{"version":1,"months":null}`, `{"version":1,"version":2,"months":{}}`, `{"Version":1,"months":{}}`,
		`{"version":1.0,"months":{}}`, `{"version":01,"months":{}}`, `{"version":-0,"months":{}}`, `{"version":1e0,"months":{}}`,
		`{"version":1,"months":{"a":{},"a":{}}}`, `{"version":1,"months":{"a":{"components":[{"id":"\u0061"}]}}}`,
		`{"version":1,"months":{"a":{"site":null,"components":null,"revisions":null}}}`, `{"version":1,"months":{"a":{"revisions":[{"from":null,"site":null}]}}}`,
		`{"version":1,"months":{"a":null}}`, `{"version":1,"months":{"a":{"published_at":null}}}`, `{"version":1,"months":{"a":{"site":nul}}}`,
		`{"version":1,"months":{"a":{"published_at":"2026-11-02"}}}`,
		`{"version":1,"months":{"a":{"extra":true}}}`, `{"version":1,"months":{}}x`, `{"version":1,"months":{"\xff":{}}}`,
		`{"version":99999999999999999999,"months":{}}`, `{"version":1,"months":{"a":{"components":[{"uptime":"tab	here"}]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeRecord(data)
		if !ok {
			return // json.Unmarshal decodes it, as before
		}
		var want Record
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decoded %q, which json.Unmarshal refuses: %v", data, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("%q:\ngot  %+v\nwant %+v", data, *got, want)
		}
	})
}

// TestDecodeRecordAsWritten: the record as WriteRecord writes it, every
// field set, is decoded without json.Unmarshal, and the same.
func TestDecodeRecordAsWritten(t *testing.T) {
	data, err := json.MarshalIndent(sampleRecord(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := decodeRecord(append(data, '\n'))
	if !ok {
		t.Fatalf("got json.Unmarshal's turn for herald's own record:\n%s", data)
	}
	if want := sampleRecord(); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// What herald never writes is left to json.Unmarshal.
	for _, s := range []string{`{"version":1,"months":{},"note":"mine"}`, `{"version":1,"months":{"2026-10":null}}`, `{"version":1,"months":{"2026-10":{"published_at":null}}}`, strings.Replace(string(data), `"api"`, `"\u0061pi"`, 1)} {
		if _, ok := decodeRecord([]byte(s)); ok {
			t.Errorf("decoded %.60q, want json.Unmarshal to", s)
		}
	}
}

// FuzzDecodeRecordWritten writes records of fuzzed words, numbers and
// times as WriteRecord does, and holds decodeRecord to json.Unmarshal on
// them: it must decode every one whose words json.Marshal leaves
// unescaped, the same.
func FuzzDecodeRecordWritten(f *testing.F) {
	f.Add("2026-10", "api", "99.95%", int64(22), int64(1793577600), int64(0))
	f.Add("", "", "no data", int64(-1), int64(-62135596800), int64(999999999))
	f.Add("m\u00e9", "web-1", "99,95\u00a0%", int64(9223372036854775807), int64(253402300799), int64(1))
	f.Fuzz(func(t *testing.T, month, id, uptime string, n, sec, nsec int64) {
		at := time.Unix(sec, nsec%1e9).UTC()
		if at.Year() < 0 || at.Year() > 9999 {
			return // json.Marshal refuses it
		}
		fig := PublishedFigure{ID: id, Uptime: uptime, DownMinutes: n, ObservedMinutes: -n, MaintenanceMinutes: n / 7}
		site := fig
		site.ID = ""
		rec := &Record{Version: recordVersion, Months: map[string]*Published{
			month: {At: at, Components: []PublishedFigure{fig, fig}, Site: &site, Revisions: []Revision{{At: at, From: []PublishedFigure{fig}, Site: &site}, {At: at}}},
		}}
		data, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeRecord(data)
		var want Record
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if plain := !strings.Contains(string(data), `\`); plain && !ok {
			t.Fatalf("left to json.Unmarshal a record with no escape:\n%s", data)
		}
		if ok && !reflect.DeepEqual(*got, want) {
			t.Fatalf("%s:\ngot  %+v\nwant %+v", data, *got, want)
		}
	})
}

// BenchmarkDecodeRecord decodes the record of six years of a hundred
// components (about a megabyte, as the large synthetic site keeps), as
// decodeRecord does and as json.Unmarshal did.
func BenchmarkDecodeRecord(b *testing.B) {
	rec := &Record{Version: recordVersion, Months: map[string]*Published{}}
	start := time.Date(2020, 11, 1, 0, 0, 0, 0, time.UTC)
	for m := range 73 {
		p := &Published{At: start.AddDate(0, m+1, 1)}
		for c := range 100 {
			p.Components = append(p.Components, PublishedFigure{ID: fmt.Sprintf("api-%d", c), Uptime: "99.95%", DownMinutes: int64(c), ObservedMinutes: 44640, MaintenanceMinutes: 30})
		}
		site := PublishedFigure{Uptime: "99.98%", DownMinutes: 9, ObservedMinutes: 44640}
		p.Site = &site
		rec.Months[start.AddDate(0, m, 0).Format("2006-01")] = p
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decodeRecord", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := decodeRecord(data); !ok {
				b.Fatal("left to json.Unmarshal")
			}
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var got Record
			if err := json.Unmarshal(data, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
