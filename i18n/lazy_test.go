package i18n

import (
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"testing"

	"go.yaml.in/yaml/v3"
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

// TestShippedAsParsed: a shipped catalog read as a process reads it, its
// words taken from the yaml tree without parse's checks, holds the words
// that parse gives it with every check, in every shipped language.
func TestShippedAsParsed(t *testing.T) {
	ref, errs := checkShipped(reference, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, tag := range Supported() {
		t.Run(tag, func(t *testing.T) {
			against := ref
			if tag == reference {
				against = nil
			}
			want, errs := checkShipped(tag, against)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got, err := parseShipped(tag)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.msgs, want) {
				t.Errorf("got %d words, want %d, or the same number of other words", len(got.msgs), len(want))
			}
			if w := newLocale(tag, want).sum; got.sum != w {
				t.Errorf("got sum %s, want %s", got.sum, w)
			}
		})
	}
}

// TestShippedParseAllocations: reading a shipped catalog costs little
// more than the yaml package's parse of it (the words, the locale's
// printer and sum take the rest): the checks, a second decode
// of each value and strictyaml's walk are Check's.
func TestShippedParseAllocations(t *testing.T) {
	for _, tag := range []string{"en", "de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			src := mustRead(t, tag)
			tree := testing.AllocsPerRun(3, func() {
				var root yaml.Node
				if err := yaml.Unmarshal(src, &root); err != nil {
					t.Fatal(err)
				}
			})
			got := testing.AllocsPerRun(3, func() {
				if _, err := parseShipped(tag); err != nil {
					t.Fatal(err)
				}
			})
			if want := tree * 3 / 2; got > want {
				t.Errorf("got %.0f allocations, want at most %.0f (the yaml tree's, %.0f, and a half)", got, want, tree)
			}
		})
	}
}
