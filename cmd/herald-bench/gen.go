package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/herald-status/herald/bench/sitegen"
)

// sizeFlags adds -size and -seed.
func sizeFlags(fs *flag.FlagSet) (*string, *uint64) {
	return fs.String("size", "large", "small, medium, large or huge"), fs.Uint64("seed", 1, "the generator's seed")
}

func spec(name string) (sitegen.Spec, error) {
	s, ok := sitegen.Lookup(name)
	if !ok {
		return s, fmt.Errorf("unknown size %q (use small, medium, large or huge)", name)
	}
	return s, nil
}

// runGen writes a synthetic herald site.
func runGen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	size, seed := sizeFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("gen: want one DIR argument")
	}
	sp, err := spec(*size)
	if err != nil {
		return err
	}
	ins, err := sitegen.Generate(fs.Arg(0), sp, *seed)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s site: %d components, %d incidents → %s (build it at -now %s)\n",
		sp.Name, sp.Components, len(ins), fs.Arg(0), sitegen.Now.Format("2006-01-02T15:04:05Z"))
	return nil
}

// runHistory writes probe results for `herald import`.
func runHistory(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	size, seed := sizeFlags(fs)
	first := fs.Int("first", 0, "the index of the first result to write")
	n := fs.Int("n", -1, "how many results to write (default: all from -first on)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("history: want one FILE argument")
	}
	sp, err := spec(*size)
	if err != nil {
		return err
	}
	if *n < 0 {
		*n = sitegen.ProbeResults(sp) - *first
	}
	if err := writeProbeHistory(fs.Arg(0), sp, *seed, *first, *n); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %d probe results of the %s site (%d in all) → %s\n", *n, sp.Name, sitegen.ProbeResults(sp), fs.Arg(0))
	return nil
}

func writeProbeHistory(path string, sp sitegen.Spec, seed uint64, first, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sitegen.WriteProbeHistory(f, sp, seed, first, n); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runHugo writes the same incidents as a Hugo site, with bench/hugo's
// layouts and config.
func runHugo(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("hugo", flag.ContinueOnError)
	size, seed := sizeFlags(fs)
	layouts := fs.String("layouts", "bench/hugo", "the folder with the Hugo config and layouts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("hugo: want one DIR argument")
	}
	sp, err := spec(*size)
	if err != nil {
		return err
	}
	if err := writeHugoSite(fs.Arg(0), *layouts, sp, *seed); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote Hugo site for %s → %s\n", sp.Name, fs.Arg(0))
	return nil
}

func writeHugoSite(dir, layouts string, sp sitegen.Spec, seed uint64) error {
	ins, err := sitegen.Generate(filepath.Join(dir, ".herald-src"), sp, seed)
	if err != nil {
		return fmt.Errorf("hugo: %w", err)
	}
	if err := sitegen.WriteHugo(dir, ins); err != nil {
		return fmt.Errorf("hugo: %w", err)
	}
	if err := sitegen.CopyTree(dir, layouts); err != nil {
		return fmt.Errorf("hugo: copy layouts: %w", err)
	}
	return nil
}
