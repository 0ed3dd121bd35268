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
	pod := &localPod{t: t, dir: t.TempDir()}
	pod.start()
	defer pod.kill()
	eventually(t, "client started", func() bool { return exists(pod.stamp("client-start")) })
	for _, c := range []string{"client", "web", "db"} {
		eventually(t, c+"'s SIGTERM handler", func() bool { return exists(pod.stamp(c + "-term.armed")) })
	}
	run := pod.dir + "/run"
	pod.before("db ready (child)", pod.ns("db-ready"), "migrate start (child)", pod.ns("migrate-start"))
	pod.before("migrate end (child)", pod.ns("migrate-end"), "web start (child)", pod.ns("web-start"))
	// A Started edge promises that the process exists, not that it ran any code yet: the
	// reference is the moment web's wrapper started it.
	pod.before("web started (wrapper)", fileTime(t, run+"/web/started"), "client start (child)", pod.ns("client-start"))
	if pod.cmds["migrate"].Wait(); pod.cmds["migrate"].ProcessState.ExitCode() != 0 {
		t.Fatalf("migrate exited %d", pod.cmds["migrate"].ProcessState.ExitCode())
	}

	pod.terminate()
	pod.before("client term", pod.ns("client-term"), "web term", pod.ns("web-term"))
	pod.before("web term", pod.ns("web-term"), "db term", pod.ns("db-term"))
	pod.before("client exited (wrapper)", mtime(t, run+"/client/exited"), "web term", pod.ns("web-term"))
	pod.before("web exited (wrapper)", mtime(t, run+"/web/exited"), "db term", pod.ns("db-term"))
}

// localPod is the four wrapped processes of TestLocalPod.
type localPod struct {
	t    *testing.T
	dir  string
	cmds map[string]*exec.Cmd
}

// stamp is the file where a child records the time of one of its events.
func (p *localPod) stamp(name string) string { return p.dir + "/" + name }

// start starts the four wrappers, in the reverse of their start-up order.
func (p *localPod) start() {
	run := p.dir + "/run"
	sd := func(c string) []string { return []string{"-status_dir", run + "/" + c} }
	containers := []struct {
		name   string
		flags  []string
		script []string
	}{
		{"client", append(sd("client"), "-wait_status", run+"/web/started"),
			[]string{"stamp", p.stamp("client-start"), "onterm", p.stamp("client-term"), "0"}},
		{"web", append(sd("web"), "-wait_status", run+"/migrate/completed", "-stop_after", run+"/client/exited"),
			[]string{"stamp", p.stamp("web-start"), "onterm", p.stamp("web-term"), "0"}},
		{"migrate", append(sd("migrate"), "-wait_status", run+"/db/ready"),
			[]string{"stamp", p.stamp("migrate-start"), "sleep", "50ms", "stamp", p.stamp("migrate-end"), "exit", "0"}},
		{"db", append(sd("db"), "-ready_self", "-stop_after", run+"/web/exited,"+run+"/migrate/exited"),
			[]string{"stamp", p.stamp("db-start"), "sleep", "100ms", "stamp", p.stamp("db-ready"), "readyself", "onterm", p.stamp("db-term"), "0"}},
	}
	p.cmds = map[string]*exec.Cmd{}
	for _, c := range containers {
		cmd := wrapper(c.flags, c.script...)
		if err := cmd.Start(); err != nil {
			p.t.Fatal(err)
		}
		p.cmds[c.name] = cmd
	}
}

func (p *localPod) kill() {
	for _, cmd := range p.cmds {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
}

// terminate sends SIGTERM to everyone at once, like the kubelet, and waits for each.
func (p *localPod) terminate() {
	for _, name := range []string{"db", "web", "client"} {
		p.cmds[name].Process.Signal(syscall.SIGTERM)
	}
	for _, name := range []string{"db", "web", "client"} {
		done := make(chan struct{})
		go func() { p.cmds[name].Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			p.t.Fatalf("%s did not stop", name)
		}
		if code := p.cmds[name].ProcessState.ExitCode(); code != 0 {
			p.t.Errorf("%s exited %d", name, code)
		}
	}
}

// ns reads the time a child stamped.
func (p *localPod) ns(name string) int64 {
	p.t.Helper()
	v, err := strconv.ParseInt(strings.TrimSpace(readFile(p.t, p.stamp(name))), 10, 64)
	if err != nil {
		p.t.Fatalf("%s: %v", name, err)
	}
	return v
}

func (p *localPod) before(a string, ta int64, b string, tb int64) {
	p.t.Helper()
	if ta >= tb {
		p.t.Errorf("%s (%d) is not before %s (%d)", a, ta, b, tb)
	} else {
		p.t.Logf("%s -> %s: %v", a, b, time.Duration(tb-ta))
	}
}

// fileTime reads the RFC 3339 time a wrapper wrote into a status file.
func fileTime(t *testing.T, name string) int64 {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, readFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ts.UnixNano()
}

func mtime(t *testing.T, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.ModTime().UnixNano()
}
