package incident

import "testing"

// TestParseSetsSum: the parser gives an incident a Sum that changes with
// its file's path, slug and bytes, and only with them.
func TestParseSetsSum(t *testing.T) {
	const src = "---\ntitle: Down\ncomponents: {website: major_outage}\nstarted: 2026-11-28 01:00\n---\nSummary.\n"
	p := testParser(t)
	parse := func(file, slug, data string) [32]byte {
		t.Helper()
		in, err := p.Parse(file, slug, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		return in.Sum
	}
	base := parse("incidents/ab.md", "ab", src)
	if base == ([32]byte{}) {
		t.Fatal("got a zero Sum")
	}
	tests := []struct {
		name             string
		file, slug, data string
		same             bool
	}{
		{"the same file again", "incidents/ab.md", "ab", src, true},
		{"another path", "incidents/2026/ab.md", "ab", src, false},
		{"another slug", "incidents/ab.md", "a", src, false},
		{"other bytes", "incidents/ab.md", "ab", src + "More.\n", false},
		{"a path's end moved into the slug", "incidents/a", "b.mdab", src, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parse(tt.file, tt.slug, tt.data) == base; got != tt.same {
				t.Errorf("got same Sum %v, want %v", got, tt.same)
			}
		})
	}
}
