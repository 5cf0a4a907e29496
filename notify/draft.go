package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/i18n"
)

// Draft incidents (notify.draft_incidents): when a component is confirmed
// down, herald writes an incident file with `draft: true` for a person to
// edit and publish; when it is confirmed up, herald adds a suggested
// Resolved update, but only to a file whose bytes are still exactly those
// it wrote. herald never overwrites a file it did not write: a new draft
// is created with O_EXCL, under the first free name.

// draft writes or resolves the draft of a new component event, when
// notify.draft_incidents is on; a down event then carries its draft.
func (n *Notifier) draft(ev Event) error {
	if !n.cfg.Notify.DraftIncidents {
		return nil
	}
	switch ev.Type {
	case ComponentDown:
		return n.writeDraft(ev.Component)
	case ComponentUp:
		return n.resolveDraft(ev.Component)
	}
	return nil
}

// draftRecord is what the state keeps of a draft herald wrote, so that
// the component's recovery finds it and knows whether a person touched it.
type draftRecord struct {
	Component string    `json:"component"`
	Name      string    `json:"name"`  // the component's, as written in the draft
	Since     time.Time `json:"since"` // the outage's start
	File      string    `json:"file"`  // relative to the site folder, slash-separated
	// Sum is the SHA-256 of the bytes herald wrote.
	Sum string `json:"sum"`
}

// maxDraftNames bounds the names tried for one draft.
const maxDraftNames = 100

// draftText is the draft of an outage of c since ch.Since, in l's words;
// with resolved set, it also holds the suggested Resolved update. The text
// depends on nothing else, so that a draft written by a run that died
// before saving its state is recognised by the next run, not duplicated.
// The updates' status words stay English, which the incident parser reads
// in every site's language.
func draftText(l *i18n.Locale, ch *ComponentChange, resolved time.Time) []byte {
	id := mustQuote(ch.ID)
	since := ch.Since.UTC()
	var b bytes.Buffer
	fmt.Fprintf(&b, "---\ntitle: %s\ncomponents: {%s: major_outage}\nimpact: critical\nstarted: %s\ndraft: true\n---\n",
		mustQuote(l.T("notify.draft_title", "component", ch.Name)), id, since.Format(time.RFC3339))
	b.WriteString(l.T("notify.draft_down", "component", ch.Name, "time", dateTime(l, since)) + "\n")
	if !resolved.IsZero() {
		fmt.Fprintf(&b, "\n## %s — Resolved\n%s\n", resolved.UTC().Format(time.RFC3339), l.T("notify.draft_up", "component", ch.Name))
	}
	fmt.Fprintf(&b, "\n## %s — Investigating\n%s\n", since.Format(time.RFC3339), l.T("notify.draft_investigating"))
	return b.Bytes()
}

// mustQuote is s as a YAML double-quoted string: JSON's string syntax is
// a subset of it.
func mustQuote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// writeDraft writes the draft of a down event into incidents/ under the
// first free name of <date>-<component>-down[-N].md, and records it in
// the state. A file that already holds exactly this text is the same
// draft, written by a run that died before it saved the state.
func (n *Notifier) writeDraft(ch *ComponentChange) error {
	text := draftText(n.loc, ch, time.Time{})
	dir := filepath.Join(n.cfg.Dir, config.IncidentsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write draft incident: %w", err)
	}
	base := ch.Since.UTC().Format("2006-01-02") + "-" + ch.ID + "-down"
	for i := 1; i <= maxDraftNames; i++ {
		name := base + ".md"
		if i > 1 {
			name = fmt.Sprintf("%s-%d.md", base, i)
		}
		file := path.Join(config.IncidentsDir, name)
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			if old, err := os.ReadFile(filepath.Join(dir, name)); err == nil && bytes.Equal(old, text) {
				n.recordDraft(ch, file, text)
				return nil
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("write draft incident: %w", err)
		}
		_, werr := f.Write(text)
		if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
			os.Remove(f.Name()) // herald made it a moment ago
			return fmt.Errorf("write draft incident %s: %w", file, err)
		}
		n.recordDraft(ch, file, text)
		return nil
	}
	return fmt.Errorf("write draft incident: %s/%s.md to -%d.md all exist (move some away)", config.IncidentsDir, base, maxDraftNames)
}

func (n *Notifier) recordDraft(ch *ComponentChange, file string, text []byte) {
	n.st.Drafts = slices.DeleteFunc(n.st.Drafts, func(d draftRecord) bool { return d.Component == ch.ID })
	n.st.Drafts = append(n.st.Drafts, draftRecord{Component: ch.ID, Name: ch.Name, Since: ch.Since, File: file, Sum: sum(text)})
	ch.Draft = &Draft{File: file, Text: string(text)}
}

// resolveDraft adds the suggested Resolved update to the component's
// draft when the component is back up, if the file is still exactly what
// herald wrote; the record is dropped either way, so an edited file is
// never touched again.
func (n *Notifier) resolveDraft(up *ComponentChange) error {
	i := slices.IndexFunc(n.st.Drafts, func(d draftRecord) bool { return d.Component == up.ID })
	if i < 0 {
		return nil
	}
	d := n.st.Drafts[i]
	n.st.Drafts = slices.Delete(n.st.Drafts, i, i+1)
	name := filepath.Join(n.cfg.Dir, filepath.FromSlash(d.File))
	old, err := os.ReadFile(name)
	if err != nil || sum(old) != d.Sum {
		return nil // moved, deleted or edited: the person's now
	}
	// The file holds only what herald wrote, so it is replaced whole, as
	// any file herald owns, and the Resolved update goes above the older
	// one, as a person would write it.
	down := &ComponentChange{ID: d.Component, Name: d.Name, Since: d.Since}
	if err := writeFileAtomic(name, draftText(n.loc, down, up.Since), 0o644); err != nil {
		return fmt.Errorf("add resolved update to draft %s: %w", d.File, err)
	}
	return nil
}
