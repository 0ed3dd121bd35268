package entrypoint

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Finding 1, deterministically: the dependency's directory is created exactly between
// the waiter's resolution of the nearest existing directory and its inotify watch
// there. Before the fix, the watch sat on the parent, the creation event was lost, and
// the file that appeared later in the new directory was never noticed (a hang). The
// safety-net re-check is switched off, so only the re-resolution can save the wait.
func TestNoLostWakeUpWhenTheDirectoryAppearsBeforeTheWatch(t *testing.T) {
	for _, depth := range []int{1, 2} {
		t.Run(itoa(depth)+" missing levels", func(t *testing.T) {
			root := t.TempDir()
			depDir := root + "/run/dep"
			if depth == 1 {
				os.Mkdir(root+"/run", 0o755)
			}
			target := depDir + "/ready"
			var once sync.Once
			blocked := make(chan struct{})
			w := &FSWaiter{PollInterval: time.Hour, Recheck: -1, BeforeWatch: func(dir string) {
				once.Do(func() {
					if dir == depDir {
						t.Errorf("the directory exists before the hook ran")
					}
					// The dependency's wrapper creates its status directory now.
					if err := os.MkdirAll(depDir, 0o755); err != nil {
						t.Error(err)
					}
					close(blocked)
				})
			}}
			ch := startWait(w, time.Minute, []string{target}, WaitOptions{})
			<-blocked
			mustNotReturn(t, ch, 20*time.Millisecond)
			writeAtomic(t, target, "x")
			select {
			case o := <-ch:
				if o.err != nil || o.failed != nil {
					t.Fatalf("%+v", o)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("lost wake-up: the waiter never noticed " + target)
			}
		})
	}
}

// The safety net on its own: a change that no watch can see (a directory symlink in
// the middle of the path is swapped in its unwatched parent) is still noticed by the
// periodic re-check. Without it the wait does not end.
func TestSafetyNetRecheck(t *testing.T) {
	for _, recheck := range []time.Duration{-1, 50 * time.Millisecond} {
		root := t.TempDir()
		os.Mkdir(root+"/d1", 0o755)
		os.Mkdir(root+"/d2", 0o755)
		writeAtomic(t, root+"/d2/ready", "x")
		os.Mkdir(root+"/links", 0o755)
		os.Symlink(root+"/d1", root+"/links/cur")
		w := &FSWaiter{PollInterval: time.Hour, Recheck: recheck}
		ch := startWait(w, 10*time.Second, []string{root + "/links/cur/ready"}, WaitOptions{})
		mustNotReturn(t, ch, 30*time.Millisecond)
		os.Symlink(root+"/d2", root+"/links/.tmp")
		os.Rename(root+"/links/.tmp", root+"/links/cur")
		if recheck < 0 {
			mustNotReturn(t, ch, 300*time.Millisecond) // proves that no event covers this case
			continue
		}
		if o := get(t, ch); o.err != nil || o.failed != nil {
			t.Fatalf("%+v", o)
		}
	}
}

// Many waiters whose directories appear late, while the waiters are still setting up
// their watches: none may hang. As strace's delay injection did in the finding, a
// short pause before each inotify_add_watch widens the race window, so the old code
// loses wake-ups here on every run instead of 1 in 1,500.
func TestStressLateDirectories(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	root := t.TempDir()
	w := &FSWaiter{PollInterval: time.Hour, Recheck: -1, BeforeWatch: func(string) { time.Sleep(time.Millisecond) }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var hung atomic.Int32
	var wg sync.WaitGroup
	var created sync.WaitGroup
	for i := range n {
		dir := filepath.Join(root, "run"+itoa(i%50), "dep"+itoa(i)) // two levels missing for the first of each group
		wg.Add(1)
		created.Add(1)
		go func() {
			defer wg.Done()
			done := make(chan error, 1)
			go func() {
				_, err := w.Wait(ctx, []string{dir + "/ready"}, WaitOptions{})
				done <- err
			}()
			// The dependency's wrapper: its directory, racing the waiter's set-up, and
			// its ready file a little later, after the waiter's first check.
			go func() {
				defer created.Done()
				time.Sleep(time.Duration(i%7) * 300 * time.Microsecond)
				os.MkdirAll(dir, 0o755)
				time.Sleep(10 * time.Millisecond)
				writeAtomic(t, dir+"/ready", "x")
			}()
			if err := <-done; err != nil {
				hung.Add(1)
			}
		}()
	}
	wg.Wait()
	created.Wait()
	if h := hung.Load(); h > 0 {
		t.Fatalf("%d of %d waiters never woke up", h, n)
	}
}

// The fallback to polling is announced once, with the reason.
func TestPollFallbackSaysSoOnce(t *testing.T) {
	var log bytes.Buffer
	w := &FSWaiter{PollInterval: 5 * time.Millisecond, Log: &log,
		Hub: &inotifyHub{init: func(int) (int, error) { return -1, syscall.EMFILE }}}
	dir := t.TempDir()
	for i := range 3 {
		p := dir + "/f" + itoa(i)
		writeAtomic(t, p, "x")
		if o := get(t, startWait(w, 5*time.Second, []string{p}, WaitOptions{})); o.err != nil {
			t.Fatal(o.err)
		}
	}
	if got := strings.Count(log.String(), "\n"); got != 1 || !strings.Contains(log.String(), "polling every 5ms") {
		t.Fatalf("stderr %q", log.String())
	}
}

// Finding 8: a waited path through a regular file, or through a symlink loop, is an
// error at once instead of a silent hang.
func TestImpossiblePathsAreErrors(t *testing.T) {
	for mode, w := range waiters() {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(dir+"/file", []byte("x"), 0o644)
			os.Symlink("loop2", dir+"/loop1")
			os.Symlink("loop1", dir+"/loop2")
			for _, p := range []string{dir + "/file/ready", dir + "/file/sub/ready", dir + "/loop1/ready"} {
				o := get(t, startWait(w, time.Minute, []string{p}, WaitOptions{}))
				if ExitCode(o.err) != ExitUsage {
					t.Errorf("%s: %+v", p, o)
				}
			}
		})
	}
}
