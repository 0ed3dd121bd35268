package entrypoint

import (
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeHub is a WatchHub driven by the test: it records the watches and wakes the
// waits only when told to.
type fakeHub struct {
	mu        sync.Mutex
	startErr  error
	why       string // returned by every Watch: fall back to polling
	watched   []string
	unwatched map[int32]bool
	wakes     map[chan struct{}]bool
	watchedC  chan struct{} // gets a value on every Watch
}

func newFakeHub() *fakeHub {
	return &fakeHub{unwatched: map[int32]bool{}, wakes: map[chan struct{}]bool{}, watchedC: make(chan struct{}, 64)}
}

func (h *fakeHub) Start() error { return h.startErr }

func (h *fakeHub) Watch(dir string, wake chan struct{}) (int32, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.why != "" {
		return -1, h.why, nil
	}
	h.watched = append(h.watched, dir)
	h.wakes[wake] = true
	h.watchedC <- struct{}{}
	return int32(len(h.watched)), "", nil
}

func (h *fakeHub) Unwatch(wake chan struct{}, wds map[int32]bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.wakes, wake)
	for wd := range wds {
		h.unwatched[wd] = true
	}
}

// event wakes every wait, as an inotify event in a watched directory does.
func (h *fakeHub) event() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.wakes {
		wake(ch)
	}
}

// With the safety net off, only the hub's event makes the wait look again: the
// waiter watches the file's directory through the injected hub, re-checks on its
// event, and gives its watches back at the end.
func TestWaiterUsesInjectedHub(t *testing.T) {
	hub := newFakeHub()
	w := &FSWaiter{Hub: hub, Recheck: -1, PollInterval: time.Hour}
	dir := t.TempDir()
	ch := startWait(w, 5*time.Second, []string{dir + "/ready"}, WaitOptions{})
	<-hub.watchedC
	if err := os.WriteFile(dir+"/ready", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	hub.event()
	if o := get(t, ch); o.err != nil || o.failed != nil {
		t.Fatalf("%+v", o)
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if len(hub.watched) == 0 || slices.IndexFunc(hub.watched, func(d string) bool { return d != dir }) >= 0 {
		t.Errorf("watched %q, want only %q", hub.watched, dir)
	}
	if len(hub.wakes) != 0 || len(hub.unwatched) == 0 {
		t.Errorf("watches not given back: wakes %d, unwatched %v", len(hub.wakes), hub.unwatched)
	}
}

// A hub that cannot serve makes the waiter poll.
func TestWaiterPollsWhenHubCannotServe(t *testing.T) {
	for name, hub := range map[string]*fakeHub{
		"start fails": {startErr: os.ErrPermission},
		"watch fails": {why: "the inotify watch limit is reached"},
	} {
		t.Run(name, func(t *testing.T) {
			w := &FSWaiter{Hub: hub, PollInterval: time.Millisecond, Recheck: -1}
			dir := t.TempDir()
			ch := startWait(w, 5*time.Second, []string{dir + "/ready"}, WaitOptions{})
			writeAtomic(t, dir+"/ready", "x")
			if o := get(t, ch); o.err != nil || o.failed != nil {
				t.Fatalf("%+v", o)
			}
		})
	}
}
