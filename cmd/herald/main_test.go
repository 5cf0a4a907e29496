package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"herald": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI end to end from testdata/script/*.txtar, as the
// go command tests itself.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HERALD_NOW", "2026-11-28T15:00:00Z")
			return nil
		},
	})
}

// TestExitCodes pins the contract scripts and cron jobs rely on: 0 ok,
// 1 invalid input, 2 usage error.
func TestExitCodes(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(bad+"/herald.yaml", []byte("title: [unclosed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		want   int
		stderr string
	}{
		{"no command", nil, exitUsage, "Usage:"},
		{"unknown command", []string{"bogus"}, exitUsage, `unknown command "bogus"`},
		{"unknown flag", []string{"build", "-bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{"stray argument", []string{"check", "extra"}, exitUsage, "check takes no arguments"},
		{"bad clock", []string{"build", "-now", "yesterday"}, exitUsage, `-now: "yesterday" is not an RFC 3339 time`},
		{"new without title", []string{"new", "incident"}, exitUsage, "new wants a kind and a title"},
		{"new with bad kind", []string{"new", "outage", "x"}, exitUsage, `unknown kind "outage"`},
		{"help", []string{"help"}, exitOK, ""},
		{"help for a command", []string{"help", "build"}, exitOK, ""},
		{"command -h", []string{"check", "-h"}, exitOK, ""},
		{"version", []string{"version"}, exitOK, ""},
		{"invalid site", []string{"check", "-site", bad}, exitInvalid, "herald.yaml:1:1: invalid YAML"},
		{"missing site", []string{"build", "-site", t.TempDir()}, exitInvalid, "no herald.yaml in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(context.Background(), tt.args, &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("got exit %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, &stdout, &stderr)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("got stderr %q, want it to contain %q", &stderr, tt.stderr)
			}
			if tt.want == exitOK && stderr.Len() > 0 {
				t.Fatalf("got stderr %q on success, want nothing", &stderr)
			}
		})
	}
}
