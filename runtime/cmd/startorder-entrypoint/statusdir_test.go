package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The status directory and the other paths the wrapper writes: permissions, owners, a full volume.

func TestUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	secret := root + "/secret"
	os.Mkdir(secret, 0o700)
	if os.Geteuid() != 0 {
		os.Chmod(secret, 0o000)
		defer os.Chmod(secret, 0o700)
	} else {
		os.Chown(secret, 0, 0) // root-owned 0700: unreadable for uid 65532
	}
	cmd := wrapper([]string{"-wait_file", secret + "/dep/ready", "-wait_timeout", "5s"}, "exit", "0")
	asUser(t, cmd)
	r := runCmd(t, cmd)
	// Two lines: the wait starts, then the one error that names the path.
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 2 || len(lines) != 2 || !strings.Contains(lines[0], "waiting for "+secret) || !strings.Contains(lines[1], "cannot read "+secret) {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
}

func TestRunsAsAnotherUID(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to uid 65532")
	}
	run := t.TempDir()
	os.Chmod(filepath.Dir(run), 0o755)
	os.Chmod(run, 0o777) // an emptyDir is world-writable
	cmd := wrapper([]string{"-status_dir", run + "/app"}, "exit", "0")
	asUser(t, cmd)
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("code %d %s", r.code, r.stderr)
	}
	var st syscall.Stat_t
	syscall.Stat(run+"/app/completed", &st)
	if st.Uid != 65532 || st.Mode&0o777 != 0o644 {
		t.Errorf("completed: uid %d mode %o", st.Uid, st.Mode&0o777)
	}
}

// tmpfs mounts a tiny tmpfs (root only) and unmounts it at the end.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// Finding 7: a full status volume is noticed. At start: exit 4 before the child runs
// (the old check created an empty file, which needs no data block, and passed). After
// start: the failed writes are reported and the wrapper does not end with 0.
func TestFullStatusVolume(t *testing.T) {
	vol := tmpfs(t, "64k")
	f, _ := os.Create(vol + "/filler")
	f.Write(make([]byte, 1<<20)) // fills it: ENOSPC
	f.Close()
	r := runW(t, []string{"-status_dir", vol + "/app"}, "touch", t.TempDir()+"/ran", "exit", "0")
	if r.code != 4 || !strings.Contains(r.stderr, "no space left") {
		t.Errorf("full at start: %+v", r)
	}
	os.Remove(vol + "/filler")
	os.RemoveAll(vol + "/app")
	r = runW(t, []string{"-status_dir", vol + "/app"}, "fill", vol+"/filler", "exit", "0")
	if r.code != 4 || !strings.Contains(r.stderr, "no space left") || !strings.Contains(r.stderr, "instead of 0") {
		t.Errorf("full after start: %+v", r)
	}
}

// Finding 8: the wrapper refuses a status directory that is a symlink or belongs to
// another UID; its files are readable by all whatever the umask.
func TestStatusDirTrust(t *testing.T) {
	run := t.TempDir()
	os.Mkdir(run+"/real", 0o755)
	os.Symlink(run+"/real", run+"/link")
	if r := runW(t, []string{"-status_dir", run + "/link"}, "touch", run+"/ran", "exit", "0"); r.code != 4 || exists(run+"/ran") || exists(run+"/real/exited") {
		t.Errorf("symlink: %+v", r)
	}
	if os.Geteuid() == 0 {
		os.Mkdir(run+"/other", 0o777)
		os.Chown(run+"/other", 65532, 65532)
		if r := runW(t, []string{"-status_dir", run + "/other"}, "touch", run+"/ran", "exit", "0"); r.code != 4 || !strings.Contains(r.stderr, "UID 65532") || exists(run+"/ran") {
			t.Errorf("other UID: %+v", r)
		}
	} else {
		t.Log("skipped the other-UID case: needs root to chown")
	}
	cmd := exec.Command("/bin/sh", "-c", `umask 077; exec "$@"`, "sh", wrapperBin, "-status_dir", run+"/deep/app", "-termination_path", run+"/term", "-entrypoint", childBin, "--", "exit", "0")
	cmd.Env = wrapper(nil).Env
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("umask 077: %+v", r)
	}
	for _, p := range []string{"/deep", "/deep/app", "/deep/app/completed", "/deep/app/exited", "/deep/app/lock", "/term"} {
		fi, err := os.Stat(run + p)
		if err != nil {
			t.Errorf("%s under umask 077: %v", p, err)
		} else if fi.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s under umask 077: mode %v", p, fi.Mode())
		}
	}
}

// Finding 8: a waited path through a regular file is an error, not a silent hang.
func TestWaitThroughAFileIsAnError(t *testing.T) {
	run := t.TempDir()
	os.WriteFile(run+"/dep", []byte("x"), 0o644)
	for _, flag := range []string{"-wait_file", "-wait_status"} {
		os.RemoveAll(run + "/app")
		r := runW(t, []string{flag, run + "/dep/ready", "-status_dir", run + "/app"}, "exit", "0")
		if r.code != 2 || !strings.Contains(r.stderr, run+"/dep") || !exists(run+"/app/started.err") {
			t.Errorf("%s: %+v", flag, r)
		}
	}
}

// Finding 9: an unusable status directory or post file directory still writes the .err
// files the other flag allows, so the next container fails fast.
func TestUnwritablePathsStillWriteErr(t *testing.T) {
	run := t.TempDir()
	os.WriteFile(run+"/file", []byte("x"), 0o644)
	// The post file's directory cannot be created (its parent is a regular file).
	r := runW(t, []string{"-status_dir", run + "/app", "-post_file", run + "/file/sub/post"}, "touch", run+"/ran", "exit", "0")
	if r.code != 4 || exists(run+"/ran") || !exists(run+"/app/started.err") || !exists(run+"/app/completed.err") || !exists(run+"/app/exited") {
		t.Errorf("post directory: %+v", r)
	}
	// The status directory cannot be created: the post file says so.
	r = runW(t, []string{"-status_dir", run + "/file/status", "-post_file", run + "/steps/post"}, "touch", run+"/ran", "exit", "0")
	if r.code != 4 || exists(run+"/ran") || !exists(run+"/steps/post.err") {
		t.Errorf("status directory: %+v", r)
	}
}
