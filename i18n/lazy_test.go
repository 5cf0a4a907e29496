package i18n

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// TestShippedParsedOnDemand: a process that loads a German site parses
// herald's reference catalog and the German one, not the six others it
// never writes in. Parsing is once per process, so the count is taken in
// a process of its own: this test runs itself again, in a new one, and
// counts there the allocations of loading the site against those of
// parsing the two catalogs.
func TestShippedParsedOnDemand(t *testing.T) {
	if os.Getenv("HERALD_I18N_FRESH") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestShippedParsedOnDemand$", "-test.v")
		cmd.Env = append(os.Environ(), "HERALD_I18N_FRESH=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in a new process: %v\n%s", err, out)
		}
		return
	}
	dir := site(t, nil)
	load := allocs(func() {
		if _, err := Load(dir); err != nil {
			t.Fatal(err)
		}
		if For("de") == nil {
			t.Fatal("For(de): got nil")
		}
	})
	two := allocs(func() {
		ref, errs := parse("catalog/en.yaml", "en", mustRead(t, "en"), nil, true)
		newLocale("en", ref)
		msgs, bad := parse("catalog/de.yaml", "de", mustRead(t, "de"), ref, true)
		newLocale("de", msgs)
		if len(errs)+len(bad) > 0 {
			t.Fatal(append(errs, bad...))
		}
	})
	// Each catalog is about as much work as another: a third is the
	// margin for what Load does besides, far below a third catalog.
	if load > two*4/3 {
		t.Errorf("got %d allocations to load a German site, want at most %d (those of parsing en and de, and a third)", load, two*4/3)
	}
}

func allocs(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

func mustRead(tb testing.TB, tag string) []byte {
	tb.Helper()
	src, err := catalogs.ReadFile("catalog/" + tag + ".yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return src
}
