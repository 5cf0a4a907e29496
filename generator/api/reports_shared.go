package api

import (
	"slices"
	"sync"
	"sync/atomic"
)

// sharedDays hands the figures of a month's days, as its JSON measured
// them, to its CSV: measuring each component's days (uptime.Windows) was
// a third of what the reports' data cost, and the CSV writes the same
// figures. ReportFiles lists the CSV a month after the JSON, so the CSV
// is rendered once the JSON is, and its figures are held only between
// the two, in buffers that the months pass on (dayBufs). A CSV rendered
// first, or beside its JSON, measures the days itself, and the JSON then
// keeps nothing: the bytes are the same either way, both written from
// figuresKey alone. The zero value is ready; a nil *sharedDays hands
// nothing over.
type sharedDays struct {
	csvStarted atomic.Bool
	days       atomic.Pointer[[]figuresKey] // every component's days, one after another
}

// dayBufs are the buffers of the days handed over: a month's are some
// 200 KB on a site of a hundred components, and one made afresh for each
// month raised a large build's peak memory by a tenth.
var dayBufs = sync.Pool{New: func() any { return new([]figuresKey) }}

// buffer is where the JSON keeps the figures of n days, or nil when it
// is not to keep them: the CSV started.
func (sh *sharedDays) buffer(n int) *[]figuresKey {
	if sh == nil || sh.csvStarted.Load() {
		return nil
	}
	p := dayBufs.Get().(*[]figuresKey)
	*p = slices.Grow((*p)[:0], n)
	return p
}

// give hands the days kept in p over to the CSV, unless the CSV started
// meanwhile.
func (sh *sharedDays) give(p *[]figuresKey) {
	if p == nil {
		return
	}
	sh.days.Store(p)
	if sh.csvStarted.Load() && sh.days.CompareAndSwap(p, nil) {
		// The CSV started between buffer and Store, and may have found
		// nothing: no month holds its days to the end of the build.
		release(p)
	}
}

// take is the CSV's start: the days the JSON handed over, n figures, or
// nil when there are none to take. The caller releases them once written.
func (sh *sharedDays) take(n int) *[]figuresKey {
	if sh == nil {
		return nil
	}
	sh.csvStarted.Store(true)
	p := sh.days.Swap(nil)
	if p != nil && len(*p) != n {
		release(p)
		return nil
	}
	return p
}

// release gives p back for another month's days.
func release(p *[]figuresKey) {
	if p != nil {
		*p = (*p)[:0]
		dayBufs.Put(p)
	}
}
