package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/redact"
)

// stateVersion is the format of the state file.
const stateVersion = 1

// Errors.
var (
	// ErrDelivery wraps every failed delivery, to a webhook or by email
	// (the error names which); the events stay pending.
	ErrDelivery = errors.New("delivery failed")
	// ErrState means the state file exists but cannot be read as one.
	ErrState = errors.New("bad notify state")
)

// Notifier finds new events in snapshots and delivers them to the
// configured webhooks. Its methods are safe for concurrent use, and
// several processes may share one site: each reading and writing of the
// state holds the state's lock file.
type Notifier struct {
	cfg      *config.Config
	hooks    []hook
	path     string
	client   *http.Client
	attempts int
	base     time.Duration // first retry delay
	maxDelay time.Duration
	logf     func(format string, args ...any)
	observed func(Result)
	tls      *tls.Config // for SMTP; nil: the defaults
	// loc is the site's language, which messages and drafts are written
	// in. A site with several languages notifies in its first, as its
	// API speaks it.
	loc *i18n.Locale

	mu     sync.Mutex
	st     state
	known  bool             // st was read from disk (or baselined)
	queued *status.Snapshot // the latest snapshot Queue handed to Run
	wake   chan struct{}
}

// hook is a webhook with the key the state names it by: a hash, so the
// state file never holds a webhook URL (Slack's carry a secret). An email
// channel is a hook too (email.go), so that it gets the same queue,
// retries and filters.
type hook struct {
	config.Webhook
	key   string
	email *config.Email // for an email channel, nil for a webhook
}

// String names the hook in errors and logs, never by its URL or address.
func (h hook) String() string {
	if h.email != nil {
		return "email #" + h.key
	}
	return h.Format + " webhook #" + h.key
}

// state is the file at notify.state.
type state struct {
	Version int `json:"version"`
	// Baseline is the clock of the first run; events existing then were
	// never sent.
	Baseline time.Time `json:"baseline"`
	// Seen are the keys of every event recorded, sent or not.
	Seen []string `json:"seen"`
	// Pending are recorded events not yet delivered to every webhook.
	Pending []pending `json:"pending"`
	// Drafts are the draft incidents herald wrote for outages not yet
	// over (see draft.go).
	Drafts []draftRecord `json:"drafts,omitempty"`
	// SLOHeld are the slo.burn thresholds of rolling windows not yet
	// re-armed (see slo.go).
	SLOHeld map[string]string `json:"slo_held,omitempty"`
}

type pending struct {
	Event Event `json:"event"`
	// Hooks are the keys of the webhooks still to deliver to.
	Hooks []string `json:"hooks"`
	// Attempts counts failed rounds, for the log.
	Attempts int `json:"attempts,omitempty"`
}

// Option configures a Notifier.
type Option func(*Notifier)

// WithHTTPClient sets the client requests go through (default: one with a
// 10s timeout per request).
func WithHTTPClient(c *http.Client) Option { return func(n *Notifier) { n.client = c } }

// WithRetry sets how many times a request is tried in one delivery round,
// and the first and the longest delay between tries (doubling, with
// jitter).
func WithRetry(attempts int, first, longest time.Duration) Option {
	return func(n *Notifier) { n.attempts, n.base, n.maxDelay = max(attempts, 1), first, longest }
}

// WithLog sets where Run reports failed rounds, and Observe a draft
// incident it could not write (default: nowhere).
func WithLog(logf func(format string, args ...any)) Option {
	return func(n *Notifier) { n.logf = logf }
}

// WithObserved sets what Run calls with the result of each snapshot it
// observes (default: nothing).
func WithObserved(f func(Result)) Option {
	return func(n *Notifier) { n.observed = f }
}

// New returns a Notifier for the site's notify config and reads its state
// file, to report a bad one at once. A missing file is not an error: the
// first Observe records a baseline.
func New(cfg *config.Config, opts ...Option) (*Notifier, error) {
	n := &Notifier{
		cfg:      cfg,
		loc:      status.SiteLocale(cfg),
		path:     filepath.Join(cfg.Dir, cfg.Notify.State),
		client:   &http.Client{Timeout: 10 * time.Second},
		attempts: 4,
		base:     time.Second,
		maxDelay: 30 * time.Second,
		logf:     func(string, ...any) {},
		observed: func(Result) {},
		wake:     make(chan struct{}, 1),
	}
	for _, w := range cfg.Notify.Webhooks {
		if w.Format == "" {
			w.Format = "json"
		}
		id := w.Format + " " + w.URL
		if w.ChatID != "" { // one bot may post to many chats
			id += " " + w.ChatID
		}
		sum := sha256.Sum256([]byte(id))
		n.hooks = append(n.hooks, hook{Webhook: w, key: hex.EncodeToString(sum[:8])})
	}
	for _, e := range cfg.Notify.Email {
		n.hooks = append(n.hooks, emailHook(e))
	}
	for _, o := range opts {
		o(n)
	}
	if err := n.load(); err != nil {
		return nil, err
	}
	return n, nil
}

// load reads the state file into n.st; the caller holds n.mu, or owns n.
// Another process may have changed the file since the last load, so every
// step that reads the state loads it again under the file lock.
func (n *Notifier) load() error {
	data, err := os.ReadFile(n.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		n.st, n.known = state{}, false
		return nil
	case err != nil:
		return fmt.Errorf("read notify state: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil || st.Version != stateVersion {
		if err == nil {
			err = fmt.Errorf("version %d, want %d", st.Version, stateVersion)
		}
		return fmt.Errorf("%w: %s: %v (move it aside to start again from a baseline)", ErrState, n.path, err)
	}
	n.st, n.known = st, true
	n.dropUnknownHooks()
	return nil
}

// dropUnknownHooks forgets deliveries to webhooks no longer configured.
func (n *Notifier) dropUnknownHooks() {
	keys := map[string]bool{}
	for _, h := range n.hooks {
		keys[h.key] = true
	}
	for i := range n.st.Pending {
		n.st.Pending[i].Hooks = slices.DeleteFunc(n.st.Pending[i].Hooks, func(k string) bool { return !keys[k] })
	}
	n.st.Pending = slices.DeleteFunc(n.st.Pending, func(p pending) bool { return len(p.Hooks) == 0 })
}

// Result says what Observe recorded.
type Result struct {
	// Baseline is true on the first run: the events were recorded as
	// seen and will never be sent.
	Baseline bool
	// Events are the new events, now pending delivery (none on a baseline;
	// only those some webhook's filter lets through).
	Events []Event
	// Pending is how many events await delivery in all.
	Pending int
}

// Observe compares the snapshot with the state, records every new event
// as pending, and saves the state before returning, so nothing recorded is
// lost to a crash. It waits for the state's lock until ctx is done (the
// error then wraps ErrBusy). It sends nothing; Deliver or Run does.
func (n *Notifier) Observe(ctx context.Context, snap *status.Snapshot) (Result, error) {
	unlock, err := n.lockState(ctx)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.load(); err != nil {
		return Result{}, err
	}
	var res Result
	if !n.known {
		res.Baseline = true
		n.st = state{Version: stateVersion, Baseline: snap.Now.UTC(), Seen: []string{}, Pending: []pending{}}
	}
	cands, err := n.candidates(ctx, snap)
	if err != nil {
		return Result{}, err
	}
	seen := map[string]bool{}
	for _, k := range n.st.Seen {
		seen[k] = true
	}
	newSlug := map[string]bool{}
	for _, c := range cands {
		if seen[c.key] {
			continue
		}
		for _, k := range append(c.also, c.key) {
			if !seen[k] {
				seen[k] = true
				n.st.Seen = append(n.st.Seen, k)
			}
		}
		if res.Baseline {
			continue
		}
		// A draft that cannot be written must not hold back the alert.
		if err := n.draft(c.event); err != nil {
			n.logf("notify: %v", err)
		}
		// A new incident is one message, carrying its latest update: what
		// else the file holds already is part of it.
		if strings.HasPrefix(c.key, "created/") {
			newSlug[c.slug] = true
		} else if newSlug[c.slug] {
			continue
		}
		p := pending{Event: c.event}
		for _, h := range n.hooks {
			if h.wants(c.event) {
				p.Hooks = append(p.Hooks, h.key)
			}
		}
		if len(p.Hooks) == 0 {
			continue
		}
		n.st.Pending = append(n.st.Pending, p)
		res.Events = append(res.Events, c.event)
	}
	slices.Sort(n.st.Seen)
	if err := n.save(); err != nil {
		return Result{}, err
	}
	n.known = true
	res.Pending = len(n.st.Pending)
	return res, nil
}

// Queue hands a snapshot to Run, which observes it and delivers what is
// new. It never waits: a publish must not wait for another process that
// holds the state's lock, nor for a dead endpoint. When Run is busy, only
// the latest snapshot is kept; it implies every event the earlier ones did.
func (n *Notifier) Queue(snap *status.Snapshot) {
	n.mu.Lock()
	n.queued = snap
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Pending is how many events await delivery, as of the last step.
func (n *Notifier) Pending() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.st.Pending)
}

// Deliver sends every pending event to every webhook still owed it and
// marks each delivery in the state as soon as the endpoint answers 2xx.
// It holds the state's lock throughout, waiting for it until ctx is done,
// so that no other process sends the same events meanwhile. Each webhook
// gets its own goroutine, so a dead one delays no other; within one, the
// events go in the order they were recorded, and a webhook that keeps
// failing (after its retries) is skipped for the rest of the round, so its
// events keep their order. The error wraps ErrDelivery and the events stay
// pending.
func (n *Notifier) Deliver(ctx context.Context) error {
	unlock, err := n.lockState(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	n.mu.Lock()
	err = n.load()
	todo := make([]pending, len(n.st.Pending))
	for i, p := range n.st.Pending {
		todo[i] = pending{Event: p.Event, Hooks: slices.Clone(p.Hooks)}
	}
	n.mu.Unlock()
	if err != nil {
		return err
	}
	errs := make([]error, len(n.hooks))
	var wg sync.WaitGroup
	for i, h := range n.hooks {
		wg.Go(func() { errs[i] = n.deliverTo(ctx, h, todo) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// deliverTo sends one webhook its share of todo, in order, and stops at
// the first event that fails.
func (n *Notifier) deliverTo(ctx context.Context, h hook, todo []pending) error {
	for _, p := range todo {
		if !slices.Contains(p.Hooks, h.key) {
			continue
		}
		if err := n.post(ctx, h, p.Event); err != nil {
			n.mu.Lock()
			for i := range n.st.Pending {
				if n.st.Pending[i].Event.ID == p.Event.ID {
					n.st.Pending[i].Attempts++
				}
			}
			n.mu.Unlock()
			return fmt.Errorf("%w: %s to %s: %w", ErrDelivery, p.Event.ID, h, err)
		}
		if err := n.delivered(p.Event.ID, h.key); err != nil {
			return err
		}
	}
	return nil
}

// delivered marks one delivery done and saves the state.
func (n *Notifier) delivered(id, hookKey string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range n.st.Pending {
		p := &n.st.Pending[i]
		if p.Event.ID != id {
			continue
		}
		p.Hooks = slices.DeleteFunc(p.Hooks, func(k string) bool { return k == hookKey })
		if len(p.Hooks) == 0 {
			n.st.Pending = slices.Delete(n.st.Pending, i, i+1)
		}
		break
	}
	return n.save()
}

// roundLimit bounds one round of Run: observing a snapshot, then
// delivering. Run holds the state's lock for a round at most, so a herald
// notify from cron (whose -timeout defaults to twice as long) always gets
// its turn.
const roundLimit = time.Minute

// Run observes the snapshots handed to Queue and delivers in the
// background until ctx is done: whenever a snapshot comes, and again after
// a failed round, waiting longer after each failure (from 30s, doubling,
// up to 10 minutes, with jitter). It never blocks a publish; watch and
// run start it in its own goroutine and wait for it when they stop.
func (n *Notifier) Run(ctx context.Context) {
	const longest = 10 * time.Minute
	delay := time.Duration(0)
	var retry <-chan time.Time
	if n.Pending() > 0 { // left over from before a restart
		retry = time.After(0)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-retry:
		}
		retry = nil
		if err := n.round(ctx); err != nil && ctx.Err() == nil {
			delay = min(max(2*delay, n.maxDelay), longest)
			wait := jitter(delay)
			n.logf("notify: %v (retrying in %s)", err, wait.Round(time.Second))
			retry = time.After(wait)
			continue
		}
		delay = 0
	}
}

// round observes the queued snapshot, if any, and delivers.
func (n *Notifier) round(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, roundLimit)
	defer cancel()
	n.mu.Lock()
	snap := n.queued
	n.queued = nil
	n.mu.Unlock()
	if snap != nil {
		res, err := n.Observe(ctx, snap)
		if err != nil {
			// Observed again next round, unless a newer one came.
			n.mu.Lock()
			if n.queued == nil {
				n.queued = snap
			}
			n.mu.Unlock()
			return err
		}
		n.observed(res)
	}
	return n.Deliver(ctx)
}

// jitter spreads a delay over [d/2, d], so that senders that failed
// together do not retry together.
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// permanent is an error retrying will not fix: an HTTP 4xx other than
// 408/429, an SMTP 5xx.
type permanent struct{ error }

// post sends one event to one webhook or email channel, retrying with
// backoff.
func (n *Notifier) post(ctx context.Context, h hook, ev Event) error {
	once, err := n.sender(h, ev)
	if err != nil {
		return err
	}
	delay := n.base
	for attempt := 1; ; attempt++ {
		err = once(ctx)
		var perm permanent
		if err == nil || errors.As(err, &perm) || attempt >= n.attempts || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(jitter(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, n.maxDelay)
	}
}

// sender composes the message about ev for h and returns what sends it
// once.
func (n *Notifier) sender(h hook, ev Event) (func(context.Context) error, error) {
	if h.email != nil {
		m, err := expandEmail(*h.email)
		if err != nil {
			return nil, permanent{err}
		}
		msg, err := composeMail(n.loc, m, ev)
		if err != nil {
			return nil, permanent{err}
		}
		return func(ctx context.Context) error { return n.sendMail(ctx, m, msg) }, nil
	}
	msg, err := compose(n.loc, h.Webhook, ev)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return n.postOnce(ctx, ev, msg) }, nil
}

func (n *Notifier) postOnce(ctx context.Context, ev Event, msg message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, msg.url, bytes.NewReader(msg.body))
	if err != nil {
		return permanent{redact.Error(err, redact.Endpoint)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "herald-notify/1")
	req.Header.Set("Idempotency-Key", ev.ID)
	req.Header.Set("X-Herald-Event", string(ev.Type))
	resp, err := n.client.Do(req)
	if err != nil {
		// net/http's errors carry the whole URL, the redirect's too.
		return redact.Error(err, redact.Endpoint)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return permanent{fmt.Errorf("HTTP %s", resp.Status)}
}

// save writes the state atomically.
func (n *Notifier) save() error {
	data, err := json.MarshalIndent(n.st, "", "  ")
	if err != nil {
		return fmt.Errorf("save notify state: %w", err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(filepath.Dir(n.path), 0o755); err != nil {
		return fmt.Errorf("save notify state: %w", err)
	}
	if err := writeFileAtomic(n.path, data, 0o600); err != nil {
		return fmt.Errorf("save notify state: %w", err)
	}
	return nil
}

// writeFileAtomic replaces name with data: a temp file in the same
// folder, fsync, rename over the old file, fsync the folder.
func writeFileAtomic(name string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("sync folder: %w", err)
		}
	}
	return nil
}
