package badge

import "testing"

// TestWidthOfScripts: a text outside ASCII is measured no narrower than
// it is drawn, and marks that take no room add none.
func TestWidthOfScripts(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		atLeast int // the narrowest the box may be
		sameAs  string
	}{
		// A Chinese or Japanese glyph is a full em: 11 px at 11 px.
		{name: "Chinese", text: "状态", atLeast: 22},
		{name: "Japanese", text: "ステータス", atLeast: 55},
		{name: "fullwidth punctuation", text: "\uff08計測\uff09", atLeast: 44},
		{name: "Arabic", text: "الحالة", atLeast: 6 * 7},
		// The no-break space of de's "99,95 %" is a space.
		{name: "no-break space", text: "99,95\u00a0%", sameAs: "99,95 %"},
		// The left-to-right marks around ar's percentage take no room.
		{name: "left-to-right marks", text: "99.95\u200e%\u200e", sameAs: "99.95%"},
		// A vowel sign sits on its letter.
		{name: "Arabic vowel sign", text: "حَالة", sameAs: "حالة"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := textWidth(tt.text)
			if tt.sameAs != "" {
				if want := textWidth(tt.sameAs); got != want {
					t.Errorf("textWidth(%q) = %d, want %d, that of %q", tt.text, got, want, tt.sameAs)
				}
				return
			}
			if got < tt.atLeast {
				t.Errorf("textWidth(%q) = %d, want at least %d", tt.text, got, tt.atLeast)
			}
		})
	}
}
