// Command herald-bench measures herald: it writes synthetic sites, converts
// them for Hugo, and times herald, Hugo and a goldmark-only floor side by
// side. `make bench` runs it; see docs/benchmarks.md.
//
// Usage:
//
//	herald-bench gen -size large -seed 1 DIR     write a synthetic site
//	herald-bench hugo -size large -seed 1 DIR    write the same incidents as a Hugo site
//	herald-bench history -size large -seed 1 FILE  write its probe history as JSON Lines (-first, -n: a part)
//	herald-bench run [flags]                     measure everything, print the table, write docs/benchmarks.md
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: herald-bench gen|hugo|history|run [flags]")
		return 2
	}
	var err error
	switch args[0] {
	case "gen":
		err = runGen(args[1:], stdout)
	case "hugo":
		err = runHugo(args[1:], stdout)
	case "history":
		err = runHistory(args[1:], stdout)
	case "run":
		err = runBench(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "herald-bench: unknown command %q (use gen, hugo, history or run)\n", args[0])
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "herald-bench: %v\n", err)
		return 1
	}
	return 0
}
