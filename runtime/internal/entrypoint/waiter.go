package entrypoint

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// The waiter: what a path's state is (waitstate.go), the process's inotify instance
// (inotify.go), a wait with inotify (inotify_wait.go) and the polling fallback (here).

// WaitOptions tune a wait.
type WaitOptions struct {
	// Content: a file only counts once it is non-empty (the downward-API gate).
	Content bool
	// AnyOutcome: a path is settled by itself or by its .err twin, and Wait returns
	// once every path is settled (used by -stop_after and -exit_with). Without it,
	// Wait returns as soon as any .err twin appears (dependencies).
	AnyOutcome bool
	// Live marks paths that are another wrapper's status files (DIR/started, ready,
	// completed, exited). Their meaning follows DIR/lock; see liveState.
	Live map[string]bool
}

// Waiter waits for files. Real: FSWaiter; tests use fakes.
type Waiter interface {
	// Wait returns (nil, nil) when every path exists; (failed, nil) when the listed
	// paths can never happen (their .err twin exists, or their wrapper died for good);
	// ctx.Err() when ctx ends first; an *AccessError when a path cannot be inspected.
	Wait(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error)
}

// DefaultPollInterval is the polling fallback's period.
const DefaultPollInterval = 10 * time.Millisecond

// DefaultRecheck is the safety net of the inotify mode: every waiter re-checks its
// files this often even without an event, so a lost event costs a second, not a hang.
const DefaultRecheck = time.Second

// FSWaiter waits with inotify on the directories that hold (or will hold) the files,
// and falls back to polling every PollInterval where inotify is unavailable.
type FSWaiter struct {
	ForcePoll    bool          // STARTORDER_WAIT=poll
	PollInterval time.Duration // STARTORDER_POLL_INTERVAL, default 10ms
	Recheck      time.Duration // inotify mode's safety-net re-check; 0 = DefaultRecheck, <0 = none
	Log          io.Writer     // where the fallback to polling is announced (once)

	// BeforeWatch, when set, runs between resolving the directory to watch and adding
	// its watch: tests use it to create a directory in exactly that window.
	BeforeWatch func(dir string)

	// Hub delivers the directory events; nil is the process's inotify instance. Tests
	// give a waiter an instance of its own, or a fake.
	Hub WatchHub

	fallbackOnce sync.Once
}

// WaiterFromEnv builds the FSWaiter configured by STARTORDER_WAIT and
// STARTORDER_POLL_INTERVAL.
func WaiterFromEnv(getenv func(string) string) (*FSWaiter, error) {
	w := &FSWaiter{PollInterval: DefaultPollInterval}
	switch v := getenv("STARTORDER_WAIT"); v {
	case "", "inotify", "auto":
	case "poll":
		w.ForcePoll = true
	default:
		return nil, usagef("STARTORDER_WAIT: %q is not inotify or poll", v)
	}
	if v := getenv("STARTORDER_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, usagef("STARTORDER_POLL_INTERVAL: %q is not a positive duration", v)
		}
		w.PollInterval = d
	}
	return w, nil
}

func (w *FSWaiter) Wait(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	if !w.ForcePoll {
		failed, err, why := w.waitInotify(ctx, paths, opt)
		if why == "" {
			return failed, err
		}
		w.fallbackOnce.Do(func() {
			if w.Log != nil {
				fmt.Fprintf(w.Log, "startorder-entrypoint: inotify unavailable (%s): polling every %s\n", why, w.pollInterval())
			}
		})
	}
	return w.waitPoll(ctx, paths, opt)
}

func (w *FSWaiter) pollInterval() time.Duration {
	if w.PollInterval <= 0 {
		return DefaultPollInterval
	}
	return w.PollInterval
}

func (w *FSWaiter) waitPoll(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	t := time.NewTicker(w.pollInterval())
	defer t.Stop()
	for {
		done, failed, _, err := check(paths, opt)
		if err != nil || done {
			return failed, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Pending returns the paths that are not settled yet, for the "still waiting" line. A
// path that cannot be inspected counts as pending: Wait reports its error.
func (w *FSWaiter) Pending(paths []string, opt WaitOptions) []string {
	var out []string
	for _, p := range paths {
		if o, _, err := pathState(p, opt); err != nil || o == pending {
			out = append(out, p)
		}
	}
	return out
}
