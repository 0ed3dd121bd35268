package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLocalPod runs four wrapped processes that share a temporary directory as their
// emptyDir, wired like the CLI wires a pod (edges through -wait_status):
//
//	db (ready_self) --Ready--> migrate --Completed--> web --Started--> client
//
// Start-up order is checked from the children's own timestamps; shutdown (every wrapper
// gets SIGTERM at once, as from the kubelet) must run in reverse through -stop_after.
func TestLocalPod(t *testing.T) {
	dir := t.TempDir()
	run := dir + "/run"
	stamp := func(name string) string { return dir + "/" + name }
	sd := func(c string) []string { return []string{"-status_dir", run + "/" + c} }
	containers := []struct {
		name   string
		flags  []string
		script []string
	}{
		{"client", append(sd("client"), "-wait_status", run+"/web/started"),
			[]string{"stamp", stamp("client-start"), "onterm", stamp("client-term"), "0"}},
		{"web", append(sd("web"), "-wait_status", run+"/migrate/completed", "-stop_after", run+"/client/exited"),
			[]string{"stamp", stamp("web-start"), "onterm", stamp("web-term"), "0"}},
		{"migrate", append(sd("migrate"), "-wait_status", run+"/db/ready"),
			[]string{"stamp", stamp("migrate-start"), "sleep", "50ms", "stamp", stamp("migrate-end"), "exit", "0"}},
		{"db", append(sd("db"), "-ready_self", "-stop_after", run+"/web/exited,"+run+"/migrate/exited"),
			[]string{"stamp", stamp("db-start"), "sleep", "100ms", "stamp", stamp("db-ready"), "readyself", "onterm", stamp("db-term"), "0"}},
	}
	cmds := map[string]*exec.Cmd{}
	for _, c := range containers {
		cmd := wrapper(c.flags, c.script...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[c.name] = cmd
	}
	defer func() {
		for _, cmd := range cmds {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
		}
	}()
	eventually(t, "client started", func() bool { return exists(stamp("client-start")) })
	for _, c := range []string{"client", "web", "db"} {
		eventually(t, c+"'s SIGTERM handler", func() bool { return exists(stamp(c + "-term.armed")) })
	}

	ns := func(name string) int64 {
		t.Helper()
		v, err := strconv.ParseInt(strings.TrimSpace(readFile(t, name)), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	fileTime := func(name string) int64 {
		t.Helper()
		ts, err := time.Parse(time.RFC3339Nano, readFile(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return ts.UnixNano()
	}
	before := func(a string, ta int64, b string, tb int64) {
		t.Helper()
		if ta >= tb {
			t.Errorf("%s (%d) is not before %s (%d)", a, ta, b, tb)
		} else {
			t.Logf("%s -> %s: %v", a, b, time.Duration(tb-ta))
		}
	}
	before("db ready (child)", ns(stamp("db-ready")), "migrate start (child)", ns(stamp("migrate-start")))
	before("migrate end (child)", ns(stamp("migrate-end")), "web start (child)", ns(stamp("web-start")))
	// A Started edge promises that the process exists, not that it ran any code yet: the
	// reference is the moment web's wrapper started it.
	before("web started (wrapper)", fileTime(run+"/web/started"), "client start (child)", ns(stamp("client-start")))
	if cmds["migrate"].Wait(); cmds["migrate"].ProcessState.ExitCode() != 0 {
		t.Fatalf("migrate exited %d", cmds["migrate"].ProcessState.ExitCode())
	}

	// Shutdown: SIGTERM to everyone at once, like the kubelet.
	for _, name := range []string{"db", "web", "client"} {
		cmds[name].Process.Signal(syscall.SIGTERM)
	}
	for _, name := range []string{"db", "web", "client"} {
		done := make(chan struct{})
		go func() { cmds[name].Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not stop", name)
		}
		if code := cmds[name].ProcessState.ExitCode(); code != 0 {
			t.Errorf("%s exited %d", name, code)
		}
	}
	before("client term", ns(stamp("client-term")), "web term", ns(stamp("web-term")))
	before("web term", ns(stamp("web-term")), "db term", ns(stamp("db-term")))
	before("client exited (wrapper)", mtime(t, run+"/client/exited"), "web term", ns(stamp("web-term")))
	before("web exited (wrapper)", mtime(t, run+"/web/exited"), "db term", ns(stamp("db-term")))
}

func mtime(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.ModTime().UnixNano()
}
