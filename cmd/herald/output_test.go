package main

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refusalSite makes, in a temporary root, a site with the user's own files
// (herald.yaml, incidents, a real probe history store) and, beside it,
// folders and links an output path may wrongly name. It returns the root.
//
//	root/site/                      the site: herald.yaml, incidents/, data/history.db, x/
//	root/victim/important/thesis.txt
//	root/copy/                      a site herald published, with the user's CNAME added
//	root/file                       a regular file
//	root/link -> site
//	root/mine -> victim
func refusalSite(tb testing.TB, publishDir string) string {
	tb.Helper()
	root := tb.TempDir()
	site := filepath.Join(root, "site")
	writeFile(tb, filepath.Join(site, "herald.yaml"), testConfig)
	writeFile(tb, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "First text."))
	writeFile(tb, filepath.Join(site, "x", "notes.txt"), "the user's notes")
	writeFile(tb, filepath.Join(root, "results.jsonl"), `{"component":"api","time":"2026-11-28T14:55:00Z","ok":true,"latency_ms":84,"status":200,"region":"us-west"}`+"\n")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"import", "-site", site, "-now", "2026-11-28T15:00:00Z", filepath.Join(root, "results.jsonl")}, &stdout, &stderr); code != exitOK {
		tb.Fatalf("import: exit %d: %s", code, &stderr)
	}
	if publishDir != "" {
		writeFile(tb, filepath.Join(site, "herald.yaml"), testConfig+"publish:\n  dir: "+publishDir+"\n")
	}
	writeFile(tb, filepath.Join(root, "victim", "important", "thesis.txt"), "four years of work")
	writeFile(tb, filepath.Join(root, "copy", "index.html"), "<p>published</p>")
	writeFile(tb, filepath.Join(root, "copy", ".herald-manifest"), "index.html\n")
	writeFile(tb, filepath.Join(root, "copy", "CNAME"), "status.example.com")
	writeFile(tb, filepath.Join(root, "file"), "a file")
	for name, target := range map[string]string{"link": "site", "mine": "victim"} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// TestRefusedOutputTouchesNothing runs every refused output path of build
// and check, and checks that every file, folder and link under the root
// (the site, its probe history, the user's folders beside it) is byte for
// byte what it was, and that nothing was added, not even herald's hidden
// versions folder.
func TestRefusedOutputTouchesNothing(t *testing.T) {
	tests := []struct {
		name       string
		publishDir string   // in herald.yaml; "" for the default
		args       []string // ROOT stands for the root folder
		want       string   // in stderr
	}{
		{"a folder of the user's", "", []string{"build", "-out", "ROOT/victim"}, "/victim: exists and was not written by herald; move it away or choose another -out or publish.dir"},
		{"herald's folder with the user's file added", "", []string{"build", "-out", "ROOT/copy"}, "/copy: exists and was not written by herald"},
		{"a regular file", "", []string{"build", "-out", "ROOT/file"}, "/file: exists and was not written by herald"},
		{"a symlink to the user's folder", "", []string{"build", "-out", "ROOT/mine"}, "/mine: exists and was not written by herald"},
		{"-out the site folder", "", []string{"build", "-out", "ROOT/site"}, "is the site folder"},
		{"-out the site folder/", "", []string{"build", "-out", "ROOT/site/"}, "is the site folder"},
		{"-out through ..", "", []string{"build", "-out", "ROOT/site/public/.."}, "is the site folder"},
		{"-out through a symlink", "", []string{"build", "-out", "ROOT/link/"}, "is the site folder"},
		{"-out holding the site", "", []string{"build", "-out", "ROOT"}, "holds the site folder"},
		{"-out incidents", "", []string{"build", "-out", "ROOT/site/incidents"}, "is incidents/"},
		{"-out inside incidents", "", []string{"build", "-out", "ROOT/site/incidents/public"}, "lies inside incidents/"},
		{"-out data", "", []string{"build", "-out", "ROOT/site/data"}, "holds data/history.db"},
		{"publish.dir .", ".", []string{"build"}, `publish.dir "." is the site folder`},
		{"publish.dir ./", "./", []string{"build"}, `publish.dir "./" is the site folder`},
		{"publish.dir public/..", "public/..", []string{"build"}, `publish.dir "public/.." is the site folder`},
		{"publish.dir x/../incidents", "x/../incidents", []string{"build"}, `publish.dir "x/../incidents" is incidents/`},
		{"publish.dir data", "data", []string{"build"}, `publish.dir "data" holds data/history.db`},
		{"publish.dir templates", "templates", []string{"build"}, `publish.dir "templates" is templates/`},
		{"check with publish.dir .", ".", []string{"check"}, `publish.dir "." is the site folder`},
		{"check with publish.dir x/../incidents", "x/../incidents", []string{"check"}, `publish.dir "x/../incidents" is incidents/`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := refusalSite(t, tt.publishDir)
			before := tree(t, root)
			args := []string{tt.args[0], "-site", filepath.Join(root, "site"), "-now", "2026-11-28T15:00:00Z"}
			for _, a := range tt.args[1:] {
				args = append(args, strings.ReplaceAll(a, "ROOT", root))
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, &stdout, &stderr); code != exitInvalid {
				t.Fatalf("got exit %d, want %d\nstdout: %s\nstderr: %s", code, exitInvalid, &stdout, &stderr)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("got stderr %q, want it to contain %q", &stderr, tt.want)
			}
			if after := tree(t, root); !maps.Equal(after, before) {
				for p, was := range before {
					if now, ok := after[p]; !ok || now != was {
						t.Errorf("%s: got %.60q (there: %v), want %.60q", p, now, ok, was)
					}
				}
				for p := range after {
					if _, ok := before[p]; !ok {
						t.Errorf("%s: added", p)
					}
				}
			}
		})
	}
}

// tree records everything under root that a user could lose, by path:
// each file's mode and bytes, each folder's mode, each symlink's target.
func tree(tb testing.TB, root string) map[string]string {
	tb.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		entry := fi.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			entry += " -> " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entry += " " + string(b)
		}
		got[p] = entry
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// TestLoopsRefuseOutputInSite starts watch, serve and run on a site whose
// publish.dir is the site folder: each reports the line of herald.yaml,
// and none publishes there. watch and serve wait for the fix, as with any
// bad input; run's prober reads the config first and exits 1.
func TestLoopsRefuseOutputInSite(t *testing.T) {
	const want = `herald.yaml:10:8: publish.dir "." is the site folder`
	tests := []struct {
		name string
		args []string
		exit bool // exits 1 rather than waiting for a fix
	}{
		{"watch", []string{"watch", "-every", "1h"}, false},
		{"serve", []string{"serve", "-addr", "127.0.0.1:0", "-every", "1h"}, false},
		{"run", []string{"run", "-listen", "127.0.0.1:0", "-every", "1h"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := refusalSite(t, ".")
			before := tree(t, root)
			p := start(t, filepath.Join(root, "site"), tt.args...)
			waitFor(t, p, "the error", func() bool { return strings.Contains(p.stderr.String(), want) })
			if tt.exit {
				<-p.done
				if code := p.cmd.ProcessState.ExitCode(); code != exitInvalid {
					t.Errorf("got exit %d, want %d", code, exitInvalid)
				}
			} else {
				waitFor(t, p, "the build to fail", func() bool { return strings.Contains(p.stderr.String(), "build failed") })
				p.stop(t)
			}
			if after := tree(t, root); !maps.Equal(after, before) {
				t.Errorf("%s changed the site:\ngot  %v\nwant %v", tt.name, after, before)
			}
		})
	}
}
