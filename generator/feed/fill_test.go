package feed

import (
	"io"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/sitetest"
)

// TestFillSkipsBusyItems: a feed file whose first item another file is
// still making makes its other items meanwhile, and takes that one once
// it is made. Before, it waited at the first item and made nothing.
func TestFillSkipsBusyItems(t *testing.T) {
	snap := sitetest.Example(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
	ch := channelsOf(snap)[0]
	ins := ch.listed(snap)
	if len(ins) < 3 {
		t.Fatalf("got %d incidents, want at least 3", len(ins))
	}
	c := &items{m: map[*incident.Incident]*cachedItem{}, uses: map[*incident.Incident]int{}}
	for _, in := range ins {
		c.uses[in] = 2
	}
	ch.cache = c
	held, mine := c.entry(ins[0]) // as another file making it
	if !mine {
		t.Fatal("got the first item claimed already, want it free")
	}
	done := make(chan error, 1)
	go func() { done <- ch.write(io.Discard, snap, "rss", appendRSS) }()
	deadline := time.Now().Add(10 * time.Second)
	for made := 0; made < len(ins)-1; {
		if time.Now().After(deadline) {
			t.Fatalf("got %d of the %d other items made while the first was being made, want all", made, len(ins)-1)
		}
		time.Sleep(time.Millisecond)
		made = 0
		for _, in := range ins[1:] {
			c.mu.Lock()
			e := c.m[in]
			c.mu.Unlock()
			if e != nil && e.mu.TryLock() {
				e.mu.Unlock()
				made++
			}
		}
	}
	select {
	case err := <-done:
		t.Fatalf("got the feed written (%v) before its first item was made", err)
	default:
	}
	held.item = newItem(snap, ins[0])
	held.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
