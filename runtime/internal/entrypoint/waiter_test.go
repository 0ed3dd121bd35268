package entrypoint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func waiters() map[string]*FSWaiter {
	return map[string]*FSWaiter{
		"inotify": {PollInterval: time.Hour}, // a poll fallback would time the test out
		"poll":    {ForcePoll: true, PollInterval: 5 * time.Millisecond},
	}
}

type waitOutcome struct {
	failed []string
	err    error
	took   time.Duration
}

func startWait(w Waiter, timeout time.Duration, paths []string, opt WaitOptions) <-chan waitOutcome {
	ch := make(chan waitOutcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		start := time.Now()
		f, err := w.Wait(ctx, paths, opt)
		ch <- waitOutcome{f, err, time.Since(start)}
	}()
	return ch
}

func mustNotReturn(t *testing.T, ch <-chan waitOutcome, d time.Duration) {
	t.Helper()
	select {
	case o := <-ch:
		t.Fatalf("returned early: %+v", o)
	case <-time.After(d):
	}
}

func get(t *testing.T, ch <-chan waitOutcome) waitOutcome {
	t.Helper()
	select {
	case o := <-ch:
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return")
		return waitOutcome{}
	}
}

func writeAtomic(t *testing.T, path, content string) {
	t.Helper()
	if err := (FileStatus{}).Write(path, content); err != nil {
		t.Fatal(err)
	}
}

// waiterCases run against both waiter modes.
var waiterCases = []struct {
	name string
	run  func(t *testing.T, w *FSWaiter)
}{
	{"existing file counts at once", waitExistingFile},
	{"files appear later, dependency dir created late", waitFilesAppearLater},
	{"err twin fails fast", waitErrTwinFailsFast},
	{"any outcome waits for all", waitAnyOutcome},
	{"deadline", waitDeadline},
	{"downward API symlink swap", waitDownwardSymlinkSwap},
	{"content written in place", waitContentInPlace},
	{"directory deleted and recreated", waitDirRecreated},
}

func TestWaiter(t *testing.T) {
	for mode, w := range waiters() {
		t.Run(mode, func(t *testing.T) {
			for _, tc := range waiterCases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, w) })
			}
		})
	}
}

// An existing file counts before the waiter waits for anything: even with its
// context already done, Wait succeeds (and fails with the context for a missing one).
func waitExistingFile(t *testing.T, w *FSWaiter) {
	dir := t.TempDir()
	writeAtomic(t, dir+"/ready", "x")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if failed, err := w.Wait(done, []string{dir + "/ready"}, WaitOptions{}); err != nil || failed != nil {
		t.Fatalf("existing file: %v %v", failed, err)
	}
	if _, err := w.Wait(done, []string{dir + "/missing"}, WaitOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("missing file: %v", err)
	}
}

func waitFilesAppearLater(t *testing.T, w *FSWaiter) {
	root := t.TempDir()
	a, b := root+"/run/a/ready", root+"/run/b/started"
	ch := startWait(w, 5*time.Second, []string{a, b}, WaitOptions{})
	mustNotReturn(t, ch, 30*time.Millisecond)
	os.MkdirAll(filepath.Dir(a), 0o755)
	writeAtomic(t, a, "x")
	mustNotReturn(t, ch, 30*time.Millisecond)
	os.MkdirAll(filepath.Dir(b), 0o755)
	os.WriteFile(b, []byte("x"), 0o644) // plain write, not a rename
	if o := get(t, ch); o.err != nil || o.failed != nil {
		t.Fatalf("%+v", o)
	}
}

func waitErrTwinFailsFast(t *testing.T, w *FSWaiter) {
	dir := t.TempDir()
	ch := startWait(w, 5*time.Second, []string{dir + "/a", dir + "/b"}, WaitOptions{})
	mustNotReturn(t, ch, 20*time.Millisecond)
	writeAtomic(t, dir+"/b.err", "x")
	if o := get(t, ch); o.err != nil || !slices.Equal(o.failed, []string{dir + "/b"}) {
		t.Fatalf("%+v", o)
	}
}

func waitAnyOutcome(t *testing.T, w *FSWaiter) {
	dir := t.TempDir()
	ch := startWait(w, 5*time.Second, []string{dir + "/a", dir + "/b"}, WaitOptions{AnyOutcome: true})
	writeAtomic(t, dir+"/a.err", "x")
	mustNotReturn(t, ch, 30*time.Millisecond)
	writeAtomic(t, dir+"/b", "x")
	if o := get(t, ch); o.err != nil || !slices.Equal(o.failed, []string{dir + "/a"}) {
		t.Fatalf("%+v", o)
	}
}

func waitDeadline(t *testing.T, w *FSWaiter) {
	o := get(t, startWait(w, 30*time.Millisecond, []string{t.TempDir() + "/never"}, WaitOptions{}))
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("%+v", o)
	}
}

func waitDownwardSymlinkSwap(t *testing.T, w *FSWaiter) {
	// The kubelet's layout: ready -> ..data/ready, ..data -> ..<timestamp>,
	// and an update renames a new ..data_tmp symlink over ..data.
	dir := t.TempDir()
	os.Mkdir(dir+"/..2024_1", 0o755)
	os.WriteFile(dir+"/..2024_1/ready", nil, 0o644) // annotation not set yet: empty
	os.Symlink("..2024_1", dir+"/..data")
	os.Symlink("..data/ready", dir+"/ready")
	ch := startWait(w, 5*time.Second, []string{dir + "/ready"}, WaitOptions{Content: true})
	mustNotReturn(t, ch, 30*time.Millisecond)
	os.Mkdir(dir+"/..2024_2", 0o755)
	os.WriteFile(dir+"/..2024_2/ready", []byte("true"), 0o644)
	os.Symlink("..2024_2", dir+"/..data_tmp")
	if err := os.Rename(dir+"/..data_tmp", dir+"/..data"); err != nil {
		t.Fatal(err)
	}
	if o := get(t, ch); o.err != nil || o.failed != nil {
		t.Fatalf("%+v", o)
	}
}

func waitContentInPlace(t *testing.T, w *FSWaiter) {
	dir := t.TempDir()
	os.WriteFile(dir+"/gate", nil, 0o644)
	ch := startWait(w, 5*time.Second, []string{dir + "/gate"}, WaitOptions{Content: true})
	mustNotReturn(t, ch, 30*time.Millisecond)
	os.WriteFile(dir+"/gate", []byte("1"), 0o644)
	if o := get(t, ch); o.err != nil {
		t.Fatalf("%+v", o)
	}
}

func waitDirRecreated(t *testing.T, w *FSWaiter) {
	root := t.TempDir()
	os.Mkdir(root+"/d", 0o755)
	ch := startWait(w, 5*time.Second, []string{root + "/d/ready"}, WaitOptions{})
	mustNotReturn(t, ch, 20*time.Millisecond)
	os.RemoveAll(root + "/d")
	time.Sleep(20 * time.Millisecond)
	os.Mkdir(root+"/d", 0o755)
	time.Sleep(5 * time.Millisecond)
	writeAtomic(t, root+"/d/ready", "x")
	if o := get(t, ch); o.err != nil {
		t.Fatalf("%+v", o)
	}
}

// Without the safety net and with a one-hour poll interval only an inotify event can
// wake the waiter: each wait must end (get fails a wait that hangs). How fast is
// BenchmarkHop's question.
func TestWaitInotifyWakesTheWaiter(t *testing.T) {
	w := &FSWaiter{PollInterval: time.Hour, Recheck: -1}
	dir := t.TempDir()
	for i := 0; i < 20; i++ {
		p := filepath.Join(dir, "r"+itoa(i))
		ch := startWait(w, 5*time.Second, []string{p}, WaitOptions{})
		time.Sleep(3 * time.Millisecond)
		writeAtomic(t, p, "x")
		if o := get(t, ch); o.err != nil {
			t.Fatalf("%s: %+v", p, o)
		}
	}
}

func TestWaiterFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	w, err := WaiterFromEnv(env(nil))
	if err != nil || w.ForcePoll || w.PollInterval != DefaultPollInterval {
		t.Fatalf("%+v %v", w, err)
	}
	w, err = WaiterFromEnv(env(map[string]string{"STARTORDER_WAIT": "poll", "STARTORDER_POLL_INTERVAL": "1s"}))
	if err != nil || !w.ForcePoll || w.PollInterval != time.Second {
		t.Fatalf("%+v %v", w, err)
	}
	for _, bad := range []map[string]string{{"STARTORDER_WAIT": "fast"}, {"STARTORDER_POLL_INTERVAL": "0"}, {"STARTORDER_POLL_INTERVAL": "x"}} {
		if _, err := WaiterFromEnv(env(bad)); ExitCode(err) != ExitUsage {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// Pending names the paths that are neither there nor failed for good.
func TestFSWaiterPending(t *testing.T) {
	dir := t.TempDir()
	writeAtomic(t, dir+"/here", "x")
	writeAtomic(t, dir+"/failed.err", "x")
	paths := []string{dir + "/here", dir + "/missing", dir + "/failed", dir + "/dep/ready"}
	got := (&FSWaiter{}).Pending(paths, WaitOptions{Live: map[string]bool{dir + "/dep/ready": true}})
	if want := []string{dir + "/missing", dir + "/dep/ready"}; !slices.Equal(got, want) {
		t.Fatalf("Pending = %q, want %q", got, want)
	}
}
