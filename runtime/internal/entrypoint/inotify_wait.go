package entrypoint

import (
	"context"
	"os"
	"path/filepath"
	"time"
)

// waitInotify waits with inotify; a non-empty why means: fall back to polling.
func (w *FSWaiter) waitInotify(ctx context.Context, paths []string, opt WaitOptions) (failed []string, err error, why string) {
	hub := w.Hub
	if hub == nil {
		hub = &processHub
	}
	if err := hub.Start(); err != nil {
		return nil, nil, "inotify_init1: " + err.Error()
	}
	ch := make(chan struct{}, 1)
	wds := map[int32]bool{}
	defer hub.Unwatch(ch, wds)
	tick, stopTick := w.recheckTicker()
	defer stopTick()
	deathWatched := map[liveLock]bool{}
	for {
		if why, err := w.watchAll(hub, paths, ch, wds); why != "" || err != nil {
			return nil, err, why
		}
		done, failed, alive, err := check(paths, opt)
		if err != nil || done {
			return failed, err, ""
		}
		for _, l := range alive {
			if !deathWatched[l] {
				// Block on the lock in the background: its holder's death wakes us at
				// once. The goroutine ends with that holder, not with this Wait.
				deathWatched[l] = true
				go awaitDeath(l.dir, func() { wake(ch) })
			}
		}
		select {
		case <-ch:
		case <-tick:
		case <-ctx.Done():
			return nil, ctx.Err(), ""
		}
	}
}

// recheckTicker is the safety net: a re-check every Recheck even without an event.
func (w *FSWaiter) recheckTicker() (<-chan time.Time, func()) {
	recheck := w.Recheck
	if recheck == 0 {
		recheck = DefaultRecheck
	}
	if recheck < 0 {
		return nil, func() {}
	}
	t := time.NewTicker(recheck)
	return t.C, t.Stop
}

// watchAll watches the nearest existing directory of every path, then resolves
// again: a directory created between the resolution and its parent's watch would not
// be reported by that watch, so it repeats until the resolution stops changing. Only
// then does the caller check, so that nothing falls between the watches and the check.
func (w *FSWaiter) watchAll(hub WatchHub, paths []string, ch chan struct{}, wds map[int32]bool) (why string, err error) {
	dirs := make([]string, len(paths))
	for round := 0; ; round++ {
		for i, p := range paths {
			dirs[i] = nearestDir(filepath.Dir(p))
			if w.BeforeWatch != nil {
				w.BeforeWatch(dirs[i])
			}
			wd, why, err := hub.Watch(dirs[i], ch)
			if why != "" || err != nil {
				return why, err
			}
			if wd >= 0 {
				wds[wd] = true
			}
		}
		stable := true
		for i, p := range paths {
			if nearestDir(filepath.Dir(p)) != dirs[i] {
				stable = false
			}
		}
		if stable || round > 64 {
			return "", nil
		}
	}
}

// nearestDir returns dir, or its nearest existing ancestor when dir does not exist yet
// (for example /startorder/run/<dep> before the dependency's wrapper created it).
func nearestDir(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
