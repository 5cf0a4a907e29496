package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/uptime"
)

// recordVersion is the record's format; a file with another is not read.
const recordVersion = 1

// Record is what was published of each closed month, by Month.Name.
type Record struct {
	Version int                   `json:"version"`
	Months  map[string]*Published `json:"months"`
	// file is the file ReadRecord read the record from, while Revise
	// adds nothing to it: WriteRecord leaves that file as it is. Writing
	// it again at every build cost more than reading it, as a site of
	// years of a hundred components keeps a record of a megabyte, synced
	// twice.
	file string
}

// Published is a closed month's figures as a build published them, and
// the figures it replaced, oldest first.
type Published struct {
	At         time.Time         `json:"published_at"`
	Components []PublishedFigure `json:"components"`
	// Site is the whole site's figure, with no ID; a record written
	// before herald recorded it has none.
	Site      *PublishedFigure `json:"site,omitempty"`
	Revisions []Revision       `json:"revisions,omitempty"`
}

// PublishedFigure is one component's figures as the report page words them:
// two builds that print the same figures publish the same month.
type PublishedFigure struct {
	ID string `json:"id,omitempty"`
	// Uptime is as printed, "99.95%" or "no data".
	Uptime             string `json:"uptime"`
	DownMinutes        int64  `json:"down_minutes"`
	ObservedMinutes    int64  `json:"observed_minutes"`
	MaintenanceMinutes int64  `json:"maintenance_minutes"`
}

// Revision says that a build at At published new figures for a closed
// month, and what they were before: From holds the components whose
// figures changed, as they were, and Site the whole site's when it
// changed.
type Revision struct {
	At   time.Time         `json:"at"`
	From []PublishedFigure `json:"from"`
	Site *PublishedFigure  `json:"site,omitempty"`
}

// ReadRecord reads the record at path; a missing file is an empty record.
// A file that is not a record herald wrote is an error, and is left alone.
func ReadRecord(path string) (*Record, error) {
	rec := &Record{Version: recordVersion, Months: map[string]*Published{}}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return rec, nil
	case err != nil:
		return nil, fmt.Errorf("read report record: %w", err)
	}
	got, ok := decodeRecord(data)
	if !ok {
		got = new(Record)
		err = json.Unmarshal(data, got)
	}
	if err != nil || got.Version != recordVersion || got.Months == nil {
		return nil, diag.Errorf(path, 1, 1, "not a record of published reports that herald wrote").
			WithFix("move the file aside; herald keeps the figures it publishes there")
	}
	got.file = path
	return got, nil
}

// RecordCache keeps the record a Builder read, across its builds: a
// site of years of a hundred components keeps a megabyte of it, whose
// decoding took 17 ms of CPU at every rebuild, for a file that changes
// only when a month closes or its figures are revised. The file is read
// again once it is another file (herald writes a new one and renames it
// over the old) or its size or modification time changed. A nil
// *RecordCache reads the file at every build.
//
// A Record is never changed once read (Revise makes a new one), so the
// builds share it.
type RecordCache struct {
	mu   sync.Mutex
	path string
	info fs.FileInfo // of path, taken before rec was read from it
	rec  *Record
}

// Read is ReadRecord(path), kept from the last call while the file is
// the same.
func (c *RecordCache) Read(path string) (*Record, error) {
	if c == nil {
		return ReadRecord(path)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	info, err := os.Stat(path)
	if err == nil && c.rec != nil && c.path == path && sameFile(c.info, info) {
		return c.rec, nil
	}
	c.rec = nil
	rec, rerr := ReadRecord(path)
	// A missing file (an empty record) or one that cannot be read is
	// not kept: ReadRecord says which, each time.
	if err == nil && rerr == nil {
		// The file was statted first: one replaced meanwhile is read
		// again next time.
		c.path, c.info, c.rec = path, info, rec
	}
	return rec, rerr
}

// sameFile reports whether a and b, two stats of a path, found the same
// file unchanged.
func sameFile(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// published is how the page words m's figures: each component's, and
// the whole site's.
func published(m *Month) ([]PublishedFigure, PublishedFigure) {
	out := make([]PublishedFigure, len(m.Components))
	for i, f := range m.Components {
		out[i] = publishedFigure(f.ID, f.Summary)
	}
	return out, publishedFigure("", m.Site.Summary)
}

func publishedFigure(id string, s uptime.Summary) PublishedFigure {
	return PublishedFigure{
		ID: id, Uptime: s.Percent(),
		DownMinutes: wholeMinutes(s.Down), ObservedMinutes: wholeMinutes(s.Known), MaintenanceMinutes: wholeMinutes(s.Excluded),
	}
}

func wholeMinutes(d time.Duration) int64 { return int64(d.Round(time.Minute) / time.Minute) }

// Revise gives each closed month of months (oldest first, as Months
// returns them) its revisions from rec, and a new one at now when its
// figures differ from those rec says were published. It returns the
// record to keep once the months are published: rec with every closed
// month's figures. A month still running is never recorded, since its
// figures change with the clock.
func Revise(months []*Month, rec *Record, now time.Time) *Record {
	next := &Record{Version: recordVersion, Months: make(map[string]*Published, len(rec.Months)), file: rec.file}
	for name, p := range rec.Months {
		next.Months[name] = p
	}
	for _, m := range months {
		if m.ToDate {
			continue
		}
		name := m.Name()
		figs, site := published(m)
		old, ok := rec.Months[name]
		// A record written before the site's figure was kept has none:
		// that is no revision, only the figure to keep from now on.
		siteChanged := ok && old.Site != nil && *old.Site != site
		// Each branch that keeps the site's figure takes its own copy:
		// taking site's address would move it to the heap for every month.
		switch {
		case !ok:
			next.file = ""
			site := site
			next.Months[name] = &Published{At: now.UTC(), Components: figs, Site: &site}
		case !slices.Equal(old.Components, figs) || siteChanged:
			next.file = ""
			rev := Revision{At: now.UTC()}
			for _, f := range old.Components {
				if !slices.Contains(figs, f) {
					rev.From = append(rev.From, f)
				}
			}
			if siteChanged {
				rev.Site = old.Site
			}
			revs := append(slices.Clip(old.Revisions), rev)
			site := site
			next.Months[name] = &Published{At: now.UTC(), Components: figs, Site: &site, Revisions: revs}
		case old.Site == nil:
			next.file = ""
			p := *old
			site := site
			p.Site = &site
			next.Months[name] = &p
		}
		// Key hashes the revisions. A Builder's closed months come back
		// from its Cache with those of the last build, mostly the same:
		// hashing every month again would cost more than the rest.
		revs := next.Months[name].Revisions
		same := slices.EqualFunc(m.Revisions, revs, Revision.same)
		m.Revisions = revs
		if !same {
			m.key = m.sum()
		}
	}
	return next
}

// same reports whether r and o say the same.
func (r Revision) same(o Revision) bool {
	return r.At.Equal(o.At) && slices.Equal(r.From, o.From) &&
		(r.Site == nil) == (o.Site == nil) && (r.Site == nil || *r.Site == *o.Site)
}

// WriteRecord writes rec to path atomically: a temporary file in the same
// folder, synced, renamed over the old one, and the folder synced, so a
// crash leaves the old record or the new one, never a mix. A record that
// Revise found nothing to add to since ReadRecord read it from path is
// that file's already, and is not written again.
func WriteRecord(path string, rec *Record) error {
	if rec.file == path {
		return nil
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	done = true
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write report record: %w", err)
	}
	return nil
}
