package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outputSite makes a site folder in a temporary root, with symlinks that
// lead back into it in the ways a user's layout can:
//
//	root/site/                   herald.yaml, incidents/ (a symlink, below), templates/, data/history.db
//	root/store/incidents/        where incidents/ really is
//	root/link -> site
//	root/x -> site/sub           so x/.. is the site folder for the kernel
//	root/site/y -> ../far/deep   so y/.. is root/far for the kernel, the site folder when cleaned
//	root/site/up -> ..
//	root/site/loop -> loop
func outputSite(tb testing.TB) (root, site string) {
	tb.Helper()
	root = tb.TempDir()
	site = filepath.Join(root, "site")
	for _, dir := range []string{"site/templates", "site/data", "site/sub", "store/incidents", "far/deep"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	for name, data := range map[string]string{"site/herald.yaml": "title: T\n", "site/data/history.db": "store", "store/incidents/a.md": "---\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for name, target := range map[string]string{
		"site/incidents": "../store/incidents",
		"link":           "site",
		"x":              "site/sub",
		"site/y":         "../far/deep",
		"site/up":        "..",
		"site/loop":      "loop",
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			tb.Fatal(err)
		}
	}
	return root, site
}

func TestCheckOutput(t *testing.T) {
	root, site := outputSite(t)
	c, err := Parse(site, []byte("title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out string
		want      string // in the error; "" for none
	}{
		{"the default", "site/public", ""},
		{"beside the site", "www", ""},
		{"beside the store", "site/data/www", ""},
		{"the site folder", "site", "is the site folder"},
		{"with a trailing slash", "site/", "is the site folder"},
		{"through ..", "site/public/..", "is the site folder"},
		{"through .", "site/./.", "is the site folder"},
		{"a symlink to it", "link", "is the site folder"},
		{"through a symlink, slash", "link/", "is the site folder"},
		{"through a symlink and a link back", "site/up/site", "is the site folder"},
		{"a folder holding it", ".", "holds the site folder"},
		{"incidents", "site/incidents", "is incidents/"},
		{"inside incidents", "site/incidents/public", "lies inside incidents/"},
		{"where incidents really are", "store/incidents", "is incidents/"},
		{"holding where incidents really are", "store", "holds incidents/"},
		{"templates", "site/templates/", "is templates/"},
		{"the store's folder", "site/data", "holds data/history.db"},
		{"the store", "site/data/history.db", "is data/history.db"},
		{"the store's log", "site/data/history.db-wal", "is data/history.db-wal"},
		{"the notify state", "site/data/notify.json", "is data/notify.json"},
		{"the record of published reports", "site/data/reports.json", "is data/reports.json"},
		{"herald.yaml", "site/herald.yaml", "is herald.yaml"},
		// x/.. is the parent of x's target for the kernel, the folder
		// holding x once cleaned: either reading must be refused.
		{"link/.. as the kernel reads it", "x/../incidents", "is incidents/"},
		{"link/.. as it reads cleaned", "site/y/../incidents", "is incidents/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(root, tt.out)
			if strings.HasSuffix(tt.out, "/") || strings.Contains(tt.out, "..") || strings.Contains(tt.out, "./") {
				out = root + "/" + tt.out // as written, not cleaned
			}
			err := c.CheckOutput(out)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckOutput(%s): got %v, want no error", tt.out, err)
			case tt.want == "":
				return
			case !errors.Is(err, ErrOwnFiles) || !strings.Contains(err.Error(), "output path "+out+" "+tt.want+":"):
				t.Fatalf("CheckOutput(%s): got %v, want %q wrapping ErrOwnFiles", tt.out, err, tt.want)
			}
		})
	}
	t.Run("a symlink loop", func(t *testing.T) {
		err := c.CheckOutput(filepath.Join(site, "loop", "public"))
		if err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
			t.Fatalf("got %v, want too many levels of symbolic links", err)
		}
	})
}

func TestParsePublishDirInSiteFiles(t *testing.T) {
	_, site := outputSite(t)
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\npublish:\n  dir: "
	tests := []struct{ dir, want string }{
		{".", `herald.yaml:6:8: publish.dir "." is the site folder (publish to a folder of its own, such as ` + "`public`" + `: herald replaces it with every build)`},
		{"./", `publish.dir "./" is the site folder`},
		{"public/..", `publish.dir "public/.." is the site folder`},
		{"up/site", `publish.dir "up/site" is the site folder`},
		{"incidents", `publish.dir "incidents" is incidents/`},
		{"sub/../incidents/x", `publish.dir "sub/../incidents/x" lies inside incidents/`},
		{"data", `publish.dir "data" holds data/history.db`},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			_, err := Parse(site, []byte(base+tt.dir+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Parse(site, []byte(base+"public\n")); err != nil {
		t.Errorf("publish.dir public: got %v, want no error", err)
	}
}
