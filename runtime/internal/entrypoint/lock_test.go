package entrypoint

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// statusDir makes a status directory with files and a lock that is absent, held by
// this test (live) or present but not held (dead), written by a wrapper with policy.
func statusDir(t *testing.T, lock string, policy string, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		writeAtomic(t, dir+"/"+f, "x")
	}
	if lock == "none" {
		return dir
	}
	writeAtomic(t, dir+"/lock", lockContent(policy))
	if lock == "live" {
		f, err := os.Open(dir + "/lock")
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
	}
	return dir
}

// Finding 2: ready (and started) mean "is", not "was": a dependency that died keeps
// its files, but they no longer count.
func TestLiveState(t *testing.T) {
	const N, O, A = RestartNever, RestartOnFailure, RestartAlways
	cases := []struct {
		cond, lock, policy string
		files              []string
		want               outcome
	}{
		{"ready", "none", N, nil, pending},
		{"ready", "none", N, []string{"ready"}, pending}, // no lock: not a live wrapper
		{"ready", "live", N, nil, pending},
		{"ready", "live", N, []string{"ready"}, satisfied},
		{"ready", "dead", N, []string{"ready", "started"}, failedForGood}, // SIGKILLed, never restarted
		{"ready", "dead", O, []string{"ready", "started"}, pending},       // the kubelet restarts it
		{"ready", "dead", A, []string{"ready", "started"}, pending},
		{"ready", "dead", N, []string{"completed", "exited"}, satisfied}, // ended well, not restarted
		{"ready", "dead", O, []string{"completed", "exited"}, satisfied},
		{"ready", "dead", A, []string{"completed", "exited"}, pending}, // restarted after exit 0 too
		{"ready", "live", N, []string{"ready.err"}, failedForGood},
		{"started", "live", N, []string{"started"}, satisfied},
		{"started", "dead", N, []string{"started"}, failedForGood},
		{"completed", "live", N, nil, pending},
		{"completed", "live", N, []string{"completed"}, satisfied},
		{"completed", "dead", N, nil, failedForGood}, // SIGKILLed under Never: never completes
		{"completed", "dead", O, nil, pending},       // OnFailure: the next attempt may
		{"completed", "dead", O, []string{"completed"}, satisfied},
		{"completed", "none", N, []string{"completed.err"}, failedForGood},
		{"exited", "live", N, nil, pending},
		{"exited", "live", N, []string{"exited"}, satisfied},
		{"exited", "dead", N, nil, satisfied}, // a SIGKILL is an exit
		{"exited", "dead", A, nil, satisfied},
		{"exited", "none", N, nil, pending},
	}
	for _, tc := range cases {
		dir := statusDir(t, tc.lock, tc.policy, tc.files...)
		got, _, err := liveState(dir + "/" + tc.cond)
		if err != nil || got != tc.want {
			t.Errorf("%s, lock %s, %s, files %v: got %v (%v), want %v", tc.cond, tc.lock, tc.policy, tc.files, got, err, tc.want)
		}
	}
}

// A waiter that blocks on a live lock learns of the holder's death at once, without
// polling and without an event in the directory.
func TestWaitLearnsOfADeathFromTheLock(t *testing.T) {
	dir := t.TempDir()
	writeAtomic(t, dir+"/lock", lockContent(RestartNever))
	f, err := os.Open(dir + "/lock")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	// No inotify events will help: the re-check is off and nothing in dir changes
	// except the release of the lock (a read-only descriptor closes without IN_CLOSE_WRITE).
	w := &FSWaiter{PollInterval: time.Hour, Recheck: -1}
	ch := startWait(w, 10*time.Second, []string{dir + "/exited"}, WaitOptions{Live: map[string]bool{dir + "/exited": true}, AnyOutcome: true})
	mustNotReturn(t, ch, 50*time.Millisecond)
	f.Close() // what the kernel does when the holder dies
	if o := get(t, ch); o.err != nil || o.failed != nil {
		t.Fatalf("%+v", o)
	}
}

func TestOwnLockIsHeldAndReadable(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir() + "/s"
	if err := (FileStatus{}).Init(dir); err != nil {
		t.Fatal(err)
	}
	if err := (FileStatus{}).Lock(dir, lockContent(RestartOnFailure)); err != nil {
		t.Fatal(err)
	}
	lk, err := readLock(dir)
	if err != nil || lk.state != lockLive || lk.policy != RestartOnFailure {
		t.Fatalf("%+v %v", lk, err)
	}
	for _, p := range []string{dir, dir + "/lock"} {
		fi, _ := os.Stat(p)
		if fi.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s: mode %v under umask 077", p, fi.Mode())
		}
	}
}
