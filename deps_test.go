package herald_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import rules: which of herald's own packages each layer may use.
// They keep the data flow of docs/architecture.md readable from the code:
// the foundations (the site's configuration and positioned errors) sit
// under everything; history and probe know nothing of pages; the
// generator builds pages from a snapshot and never runs a probe; nothing
// imports a command.
//
// DO NOT CHANGE THESE RULES TO FIX A BUILD. Move the code instead, or, if
// the design really changed, change docs/architecture.md with them.
var importRules = []importRule{
	{
		name: "foundations import no other herald package",
		pkgs: []string{"config", "diag", "i18n", "redact", "strictyaml"},
		may:  []string{"config", "diag", "i18n", "redact", "strictyaml"},
	},
	{
		name: "templates import nothing of herald",
		pkgs: []string{"templates"},
		may:  []string{},
	},
	{
		name: "watch reports file changes and knows nothing of herald",
		pkgs: []string{"watch"},
		may:  []string{},
	},
	{
		name: "devserver serves a folder and knows nothing of how it was built",
		pkgs: []string{"devserver"},
		may:  []string{},
	},
	{
		name: "history knows nothing of pages, probes or commands: foundations only",
		pkgs: []string{"history/..."},
		may:  []string{"config", "diag", "i18n", "redact", "strictyaml", "history/..."},
	},
	{
		name: "probe knows nothing of pages: foundations and history only",
		pkgs: []string{"probe/..."},
		may:  []string{"config", "diag", "i18n", "redact", "strictyaml", "history", "probe/..."},
	},
	{
		name: "generator builds pages from a snapshot: it never imports probe, notify, daemon, watch or cmd",
		pkgs: []string{"generator/..."},
		may:  []string{"config", "diag", "i18n", "redact", "strictyaml", "history", "templates", "generator/..."},
	},
	{
		name: "migrate writes a site and knows nothing of probes, notifications or the daemon: foundations, history and, to check its result, generator (its tests find the samples through internal/interop)",
		pkgs: []string{"migrate/..."},
		may:  []string{"config", "diag", "i18n", "redact", "strictyaml", "history", "generator/...", "migrate/...", "internal/interop"},
	},
	{
		name: "internal/interop finds test samples and knows nothing of herald",
		pkgs: []string{"internal/interop"},
		may:  []string{},
	},
	{
		name:  "nothing imports cmd/...",
		pkgs:  []string{"..."},
		never: []string{"cmd/..."},
	},
}

// importRule says which herald packages the packages pkgs may import
// (directly or not): those matching may, when may is set, and none
// matching never. Patterns are relative to the module, and "x/..." is x
// and everything below it.
type importRule struct {
	name       string
	pkgs       []string
	may, never []string
}

const module = "github.com/herald-status/herald"

func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Deps,TestImports,XTestImports", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath                      string
			Deps, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		graph[p.ImportPath] = slices.Concat(p.Deps, p.TestImports, p.XTestImports)
	}
	if len(graph) < 10 {
		t.Fatalf("go list found %d packages; is this the module root?", len(graph))
	}
	for _, v := range checkImports(graph, importRules) {
		t.Error(v)
	}
}

// TestImportRulesCatch: the checker reports a forbidden import, by rule.
func TestImportRulesCatch(t *testing.T) {
	graph := map[string][]string{
		module + "/generator/render": {"fmt", module + "/generator/status", module + "/probe"},
		module + "/probe":            {module + "/config", module + "/history"},
		module + "/history":          {module + "/config", module + "/cmd/herald"},
		module + "/config":           {module + "/diag"},
	}
	got := checkImports(graph, importRules)
	want := []string{
		`generator/render imports probe: generator builds pages from a snapshot: it never imports probe, notify, daemon, watch or cmd`,
		`history imports cmd/herald: history knows nothing of pages, probes or commands: foundations only`,
		`history imports cmd/herald: nothing imports cmd/...`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkImports returns one line per package, import and rule broken.
func checkImports(graph map[string][]string, rules []importRule) []string {
	var broken []string
	for _, pkg := range slices.Sorted(maps.Keys(graph)) {
		p, ok := strings.CutPrefix(pkg, module+"/")
		if !ok {
			continue
		}
		deps := slices.Clone(graph[pkg])
		slices.Sort(deps)
		for _, dep := range slices.Compact(deps) {
			d, ok := strings.CutPrefix(dep, module+"/")
			if !ok || d == p {
				continue
			}
			for _, r := range rules {
				if !matchAny(r.pkgs, p) {
					continue
				}
				if r.may != nil && !matchAny(r.may, d) || matchAny(r.never, d) {
					broken = append(broken, fmt.Sprintf("%s imports %s: %s", p, d, r.name))
				}
			}
		}
	}
	return broken
}

func matchAny(patterns []string, pkg string) bool {
	for _, pat := range patterns {
		if pat == "..." || pat == pkg {
			return true
		}
		if base, ok := strings.CutSuffix(pat, "/..."); ok && (pkg == base || strings.HasPrefix(pkg, base+"/")) {
			return true
		}
	}
	return false
}
