// Command herald turns Markdown incident files and health-probe results
// into a static status site.
//
// Usage: herald <command> [flags]; `herald help` lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // timezones work on hosts without /usr/share/zoneinfo

	"github.com/herald-status/herald/diag"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

// Exit codes.
const (
	exitOK      = 0
	exitInvalid = 1 // invalid input, or the work failed
	exitUsage   = 2 // the command line itself is wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand: a name, a one-line summary for `herald help`,
// and a Run that parses its own flags.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

var commands = []command{
	{"build", "render the site into the output folder and publish it atomically", runBuild},
	{"check", "validate herald.yaml, templates and incidents without writing", runCheck},
	{"new", "write a dated skeleton incident or maintenance file", runNew},
	{"notify", "send webhook and email messages for new incidents and updates (cron, CI)", runNotify},
	{"serve", "watch the site and serve it on 127.0.0.1, reloading pages on rebuild", runServe},
	{"watch", "rebuild and publish the site whenever its files change", runWatch},
	{"run", "the daemon: watch, timed rebuilds, publish and /healthz", runRun},
	{"probe", "run the health checks in herald.yaml and record their results", runProbe},
	{"import", "import probe results (JSON Lines or CSV, maybe gzipped) into the history", runImport},
	{"export", "write the raw probe results in the history to stdout as JSON Lines", runExport},
	{"migrate", "write a herald site from a cState, Upptime or Statuspage site", runMigrate},
	{"version", "print herald's version", runVersion},
	{"help", "show help for herald or a command", nil}, // handled in run
}

const mainUsage = `herald turns Markdown incident files into a static status site.

Usage:
  herald <command> [flags] [arguments]

Commands:
%s
Run "herald <command> -h" for a command's flags and examples.

Examples:
  herald new -components api incident "API errors"   # start an incident
  herald check                                       # validate the site
  herald build                                       # publish to ./public
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if len(args) == 0 {
		printMainUsage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "-help" || name == "--help" {
		if len(rest) == 0 {
			printMainUsage(stdout)
			return exitOK
		}
		name, rest = rest[0], []string{"-h"}
	}
	for _, c := range commands {
		if c.name == name && c.run != nil {
			return exitCode(c.run(ctx, e, rest), stderr)
		}
	}
	fmt.Fprintf(stderr, "herald: unknown command %q\n\n", name)
	printMainUsage(stderr)
	return exitUsage
}

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// usageError is a mistake on the command line; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errHelp means usage was printed on request; it exits 0.
var errHelp = errors.New("help requested")

// errReported means the command already printed what went wrong.
var errReported = errors.New("reported")

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "herald: %s\n", ue.msg)
		return exitUsage
	case errors.Is(err, errReported):
		return exitInvalid
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "herald: interrupted")
		return exitInvalid
	}
	fmt.Fprintf(stderr, "herald: %v\n", err)
	return exitInvalid
}

// newFlagSet returns a silent flag set: parse prints usage itself, to
// stdout for -h and to stderr for a mistake.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args and turns -h and flag mistakes into errHelp and
// usageError, printing usage where it belongs.
func parse(e *env, fs *flag.FlagSet, usage string, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printUsage(e.stdout, fs, usage)
		return errHelp
	}
	printUsage(e.stderr, fs, usage)
	return usageError{err.Error()}
}

func printUsage(w io.Writer, fs *flag.FlagSet, usage string) {
	fmt.Fprint(w, strings.TrimLeft(usage, "\n"))
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// siteFlag and nowFlag are shared by every command that reads a site.
func siteFlag(fs *flag.FlagSet) *string { return fs.String("site", ".", siteUsage) }

func nowFlag(fs *flag.FlagSet) *string { return fs.String("now", "", nowUsage) }

const (
	siteUsage = "the site folder, holding herald.yaml and incidents/"
	nowUsage  = "the clock, as RFC 3339 (default $HERALD_NOW, else the system clock)"
)

// clock resolves the command's notion of now: the -now flag, else
// HERALD_NOW, else the system clock. This is the only place herald reads the
// system clock for logic.
func clock(e *env, flagValue string) (time.Time, error) {
	v, from := flagValue, "-now"
	if v == "" {
		v, from = e.getenv("HERALD_NOW"), "HERALD_NOW"
	}
	if v == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, usageError{fmt.Sprintf("%s: %q is not an RFC 3339 time such as 2026-11-28T15:00:00Z", from, v)}
	}
	return t, nil
}

// report prints a site's problems as file:line:col lines, with paths as
// the user can open them from the current folder.
func report(e *env, site string, err error) error {
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.List{one}
	default:
		return err
	}
	for _, d := range list {
		shown := *d
		shown.File = inSite(site, shown.File)
		fmt.Fprintln(e.stderr, shown.Error())
	}
	noun := "errors"
	if len(list) == 1 {
		noun = "error"
	}
	fmt.Fprintf(e.stderr, "%d %s\n", len(list), noun)
	return errReported
}

// inSite is a file named relative to the site folder, as the user who
// named the folder reaches it.
func inSite(site, file string) string {
	if site != "." && !filepath.IsAbs(file) {
		return filepath.Join(site, file)
	}
	return file
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("version")
	const usage = `Usage: herald version

Prints herald's version.

Example:
  herald version
`
	if err := parse(e, fs, usage, args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "herald", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
