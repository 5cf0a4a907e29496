package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/notify"
)

const notifyUsage = `
Usage: herald notify [-site DIR] [-now TIME] [-timeout 2m]

Sends the webhook messages (notify.webhooks in herald.yaml) and the emails
to mailing lists (notify.email) for what is new since the last run: new
incidents and maintenance notices, new timeline updates, incidents
resolved, maintenance starting and ending, and components confirmed down
or up by their probes (read from the probe history, with
notify.draft_incidents writing a draft incident file for each outage). It
is the one-shot for cron and CI; watch and run send the same messages by
themselves, and build sends none.

Delivery state is kept in notify.state (default data/notify.json), so no
event is sent twice and none is skipped. The first run against a site only
records what exists and sends nothing. Exits 1 when a delivery failed; the
events stay pending and the next run retries them.

-timeout bounds the whole run. A watch, run or other notify on the same
site holds data/notify.json.lock while it delivers (watch and run for a
minute at most); this run waits for it, and when the lock is still held
at -timeout, exits 1 having sent nothing (the events stay pending).

Examples:
  herald notify
  herald notify -site ./status -timeout 30s
`

func runNotify(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("notify")
	site := siteFlag(fs)
	nowText := nowFlag(fs)
	timeout := fs.Duration("timeout", 2*time.Minute, "how long the run may take, waiting for the state's lock included (events not sent stay pending)")
	if err := parse(e, fs, notifyUsage, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("notify takes no arguments, got %q", fs.Args())}
	}
	now, err := clock(e, *nowText)
	if err != nil {
		return err
	}
	s, err := generator.Load(ctx, *site, now)
	if err != nil {
		return report(e, *site, err)
	}
	n, err := notify.New(s.Config, notify.WithLog(func(format string, args ...any) {
		fmt.Fprintf(e.stderr, format+"\n", args...)
	}))
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	snap, err := s.Snapshot(dctx, now)
	if err != nil {
		return err
	}
	res, err := n.Observe(dctx, snap)
	if errors.Is(err, notify.ErrBusy) {
		return fmt.Errorf("notify: nothing sent in -timeout %s; the events stay pending for the process that delivers or the next run: %w", *timeout, err)
	}
	if err != nil {
		return err
	}
	if res.Baseline {
		fmt.Fprintf(e.stdout, "baseline recorded in %s: past events will not be sent\n", s.Config.Notify.State)
		return nil
	}
	if !s.Config.Notify.HasChannels() {
		fmt.Fprintln(e.stdout, "no webhooks or email configured: nothing to send")
		return nil
	}
	if err := n.Deliver(dctx); err != nil {
		return fmt.Errorf("notify: %d events still pending: %w", n.Pending(), err)
	}
	fmt.Fprintf(e.stdout, "sent %d new events\n", len(res.Events))
	return nil
}
