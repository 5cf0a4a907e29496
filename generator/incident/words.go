package incident

import (
	"slices"
	"strings"

	"github.com/herald-status/herald/i18n"
)

// vocab is what one language calls herald's statuses: the words of its
// catalog, so that an author may write `## … — Behoben` in a German site.
// English needs none: its words are the statuses' own.
type vocab struct {
	tag   string
	words map[string]string   // status → the catalog's word
	of    map[string][]string // folded word → the statuses it names
}

// newVocab reads l's word for each status, the message prefix+status.
func newVocab(l *i18n.Locale, prefix string, statuses []string) *vocab {
	v := &vocab{tag: l.Tag(), words: map[string]string{}, of: map[string][]string{}}
	for _, s := range statuses {
		w := l.T(prefix + s)
		v.words[s] = w
		// A site may give two statuses one word (resolved and completed
		// may well read alike): each kind of file finds its own, and
		// within a kind the earlier status, as a timeline goes, so that
		// an update is never taken for a later stage than meant.
		v.of[foldWord(w)] = append(v.of[foldWord(w)], s)
	}
	return v
}

// foldWord is a word as matching compares it: lower case, its spaces
// collapsed, so that "Wird  untersucht" and "wird untersucht" are one.
func foldWord(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// localWords are l's words for update and component statuses, as match
// and accepted take them: none for English, whose words are the statuses'
// own, nor for a language the site's catalogs lack.
func localWords(l *i18n.Locale) (update, component []*vocab) {
	if l == nil || l.Tag() == i18n.Default {
		return nil, nil
	}
	return []*vocab{newVocab(l, "update.", slices.Concat(IncidentStatuses, MaintenanceStatuses))}, []*vocab{newVocab(l, "status.", componentStatuses)}
}

// componentStatuses are the statuses front matter may give a component,
// in the order messages list them.
var componentStatuses = []string{string(Operational), string(DegradedPerformance), string(PartialOutage), string(MajorOutage), string(UnderMaintenance)}

// match returns the status of statuses that word names in English (as
// english folds it) or in one of vs.
func match(word string, english func(string) string, statuses []string, vs ...*vocab) (string, bool) {
	// statuses' own string, not w, which may be a part of the file's
	// text that a parsed incident would keep alive.
	if i := slices.Index(statuses, english(word)); i >= 0 {
		return statuses[i], true
	}
	f := foldWord(word)
	for _, v := range vs {
		for _, s := range v.of[f] {
			if slices.Contains(statuses, s) {
				return s, true
			}
		}
	}
	return "", false
}

// englishUpdate folds an update's status word: "In progress" and
// "Post-mortem" are in_progress and postmortem.
func englishUpdate(word string) string {
	// Nearly every heading names a status: its own string, found without
	// a lowered copy of the word, is the one every update shares.
	for _, statuses := range [][]string{IncidentStatuses, MaintenanceStatuses} {
		for _, s := range statuses {
			if foldsTo(word, s) {
				return s
			}
		}
	}
	if foldsTo(word, "post_mortem") {
		return "postmortem"
	}
	w := strings.ToLower(wordSeparators.Replace(word))
	if w == "post_mortem" {
		return "postmortem"
	}
	return w
}

// foldsTo reports whether word, lowered and with wordSeparators
// replaced, is s, which is ASCII: a word holding any other byte is not,
// so that ASCII's lowering is all of strings.ToLower that counts.
func foldsTo(word, s string) bool {
	if len(word) != len(s) {
		return false
	}
	for i := range len(word) {
		c := word[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == ' ' || c == '-':
			c = '_'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// accepted says which words name statuses: the English ones, as list
// writes them, then each language's.
func accepted(statuses []string, list func([]string) string, vs ...*vocab) string {
	s := list(statuses)
	for _, v := range vs {
		words := make([]string, len(statuses))
		for i, st := range statuses {
			words[i] = v.words[st]
		}
		s += "; or in " + v.tag + ": " + strings.Join(words, ", ")
	}
	return s
}

func commaList(words []string) string { return strings.Join(words, ", ") }

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return commaList(words)
	}
	return commaList(words[:len(words)-1]) + " or " + words[len(words)-1]
}
