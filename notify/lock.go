package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// ErrBusy means another process kept the state file locked for as long as
// the caller was willing to wait.
var ErrBusy = errors.New("another herald process (watch, run or notify) holds it")

// lockPoll is how often a waiting process tries the lock again. flock
// gives no event when a lock is released, and a blocking flock cannot be
// cancelled, so a bounded wait has to poll.
const lockPoll = 50 * time.Millisecond

// lockState takes the exclusive lock on the state's lock file (the state
// path plus ".lock"), waiting until ctx is done. Every process that reads
// and writes the state holds it, so that one event is claimed by one
// process. flock belongs to the open file: the kernel releases it when
// its holder exits or is killed, so a crash never leaves it held. The
// lock file is never removed: removing it would let a waiting process
// lock a file that a third one no longer sees.
func (n *Notifier) lockState(ctx context.Context) (unlock func(), err error) {
	name := n.path + ".lock"
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, fmt.Errorf("lock notify state: %w", err)
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock notify state: %w", err)
	}
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock notify state %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, ErrBusy)
		case <-t.C:
		}
	}
}
