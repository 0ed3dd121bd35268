package entrypoint

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The -wait_probe_* waits against real loopback servers and real probe processes.

// probeRun runs a wrapper whose child exits 0 at once, with a fake waiter for files.
func probeRun(t *testing.T, cfg Config, ex Executor) (*waitRun, *fakeStatus, <-chan Result) {
	t.Helper()
	wr := newWaitRun(cfg, &fakeWaiter{})
	st := &fakeStatus{files: map[string]string{}}
	if ex == nil {
		proc := &fakeProc{done: make(chan ExitStatus, 1)}
		proc.exit(ExitStatus{})
		ex = &fakeExec{proc: proc, startedC: make(chan struct{})}
	}
	r := &Runner{Cfg: wr.cfg, Waiter: wr.waiter, Status: st, Exec: ex, Signals: wr.sigs, Now: clock(), Log: wr.log, WaitReport: time.Hour}
	ch := make(chan Result, 1)
	go func() { ch <- r.Run() }()
	return wr, st, ch
}

// lateServer answers 503 to its first `late` requests, then 200.
func lateServer(t *testing.T, late int32) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz/ready" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if n.Add(1) <= late {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestWaitProbeHTTPReadyLate(t *testing.T) {
	srv, n := lateServer(t, 3)
	target := srv.URL + "/healthz/ready"
	wr, _, res := probeRun(t, Config{StatusDir: sd, WaitProbes: []WaitProbe{{Name: "istio-proxy", Kind: ReadyHTTP, Target: target}}}, nil)
	if r := result(t, res); r.Code != 0 {
		t.Fatalf("%+v", r)
	}
	if n.Load() != 4 {
		t.Errorf("the server answered %d requests, want 3 refusals and the success", n.Load())
	}
	desc := "istio-proxy ready (probe http " + strings.TrimPrefix(target, "http://") + ")"
	lines := wr.log.all()
	wantLines(t, lines, "waiting for "+desc+" (no -wait_timeout)", "waited 30s for "+desc+": starting the child")
}

// A dependency that never becomes ready: the deadline ends the wait, the reason (in
// the termination message) names the probe and its last error, and the child never runs.
func TestWaitProbeHTTPNeverReady(t *testing.T) {
	srv, _ := lateServer(t, 1<<30)
	cfg := Config{StatusDir: sd, TerminationPath: "/dev/termination-log", WaitTimeout: 300 * time.Millisecond,
		WaitProbes: []WaitProbe{{Name: "istio-proxy", Kind: ReadyHTTP, Target: srv.URL + "/healthz/ready"}}}
	wr, st, res := probeRun(t, cfg, nil)
	r := result(t, res)
	if r.Code != ExitDependency || !strings.HasPrefix(r.Reason, "WaitTimeout: -wait_timeout 300ms spent waiting for istio-proxy ready (probe http ") ||
		!strings.HasSuffix(r.Reason, ": last attempt: HTTP status 503") {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(string(st.term), `"reason":"WaitTimeout: `) || !strings.Contains(string(st.term), "HTTP status 503") {
		t.Errorf("termination message %s", st.term)
	}
	for _, f := range []string{FileStarted, FileReady, FileCompleted} {
		if !st.has(sd + "/" + f + ErrSuffix) {
			t.Errorf("%s.err not written (restart policy Never: the timeout is final)", f)
		}
	}
	if st.has(sd + "/" + FileStarted) {
		t.Error("the child started")
	}
	if last := wr.log.all(); !strings.HasPrefix(last[len(last)-2], "gave up after ") {
		t.Errorf("lines %q", last)
	}
}

// reservePort is a loopback address nothing listens on (yet).
func reservePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestWaitProbeTCPOnceListening(t *testing.T) {
	addr := reservePort(t)
	wr, st, res := probeRun(t, Config{StatusDir: sd, WaitProbes: []WaitProbe{{Name: "db", Kind: ReadyTCP, Target: addr}}}, nil)
	<-wr.log.added // the wait has begun, against a closed port
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skip("the reserved port was taken meanwhile:", err)
	}
	defer l.Close()
	if r := result(t, res); r.Code != 0 || !st.has(sd+"/"+FileCompleted) {
		t.Fatalf("%+v", r)
	}
}

// Status waits and probes run together; the report names only what is pending.
func TestWaitProbeWithStatusWait(t *testing.T) {
	addr := reservePort(t)
	dep := "/startorder/run/config/ready"
	wr := newWaitRun(Config{StatusDir: sd, WaitStatus: []string{dep}, WaitProbes: []WaitProbe{{Name: "db", Kind: ReadyTCP, Target: addr}}},
		&fakeWaiter{})
	proc := &fakeProc{done: make(chan ExitStatus, 1)}
	proc.exit(ExitStatus{})
	r := &Runner{Cfg: wr.cfg, Waiter: wr.waiter, Status: &fakeStatus{files: map[string]string{}}, Exec: &fakeExec{proc: proc, startedC: make(chan struct{})},
		Signals: wr.sigs, Now: clock(), Log: wr.log, WaitReport: time.Millisecond}
	res := make(chan Result, 1)
	go func() { res <- r.Run() }()
	for len(wr.log.all()) < 3 {
		<-wr.log.added
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skip("the reserved port was taken meanwhile:", err)
	}
	defer l.Close()
	if got := result(t, res); got.Code != 0 {
		t.Fatalf("%+v", got)
	}
	lines := wr.log.all()
	if lines[0] != "waiting for config ready, db ready (probe tcp "+addr+") (no -wait_timeout)" {
		t.Errorf("first line %q", lines[0])
	}
	// the status wait is over at once: later reports name the probe only
	if want := " for db ready (probe tcp " + addr + ")"; !strings.HasSuffix(lines[2], want) {
		t.Errorf("report %q, want it to end with %q", lines[2], want)
	}
}

func TestWaitProbeExec(t *testing.T) {
	// /bin/sh starts in milliseconds, well within an attempt's 1s deadline also on a busy
	// machine (a re-invoked test binary under -race may not)
	flag := t.TempDir() + "/up"
	argv := []string{"/bin/sh", "-c", "test -e " + flag}
	child := []string{self(t), "exit", "0"}
	t.Run("passes once the check does", func(t *testing.T) {
		cfg := Config{StatusDir: sd, WaitProbes: []WaitProbe{{Name: "vault", Kind: ReadyExec, Argv: argv}}}
		cfg.Argv = child
		wr := newWaitRun(cfg, &fakeWaiter{})
		wr.cfg.Argv = child
		r := &Runner{Cfg: wr.cfg, Waiter: wr.waiter, Status: &fakeStatus{files: map[string]string{}}, Exec: &SysExecutor{},
			Env: childEnv(), Signals: wr.sigs, Now: clock(), Log: wr.log, WaitReport: time.Hour}
		res := make(chan Result, 1)
		go func() { res <- r.Run() }()
		<-wr.log.added
		os.WriteFile(flag, nil, 0o644)
		if got := result(t, res); got.Code != 0 {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		missing := []string{"/bin/sh", "-c", "test -e " + flag + ".never"}
		wr := newWaitRun(Config{StatusDir: sd, WaitTimeout: 300 * time.Millisecond, WaitProbes: []WaitProbe{{Kind: ReadyExec, Argv: missing}}}, &fakeWaiter{})
		wr.cfg.Argv = child
		r := &Runner{Cfg: wr.cfg, Waiter: wr.waiter, Status: &fakeStatus{files: map[string]string{}}, Exec: &SysExecutor{},
			Env: childEnv(), Signals: wr.sigs, Now: clock(), Log: wr.log, WaitReport: time.Hour}
		got := r.Run()
		if got.Code != ExitDependency || !strings.HasSuffix(got.Reason, "waiting for probe exec "+strings.Join(missing, " ")+": last attempt: probe exited 1") {
			t.Fatalf("%+v", got)
		}
	})
}

// SIGTERM while a probe waits ends the wrapper at once, as for the other waits.
func TestWaitProbeSignal(t *testing.T) {
	wr, _, res := probeRun(t, Config{StatusDir: sd, WaitProbes: []WaitProbe{{Name: "db", Kind: ReadyTCP, Target: reservePort(t)}}}, nil)
	<-wr.log.added
	wr.sigs <- syscall.SIGTERM
	if r := result(t, res); r.Code != 128+15 {
		t.Fatalf("%+v", r)
	}
}

func TestWaitProbeFlags(t *testing.T) {
	c, err := ParseFlags([]string{"-wait_probe_http", "istio-proxy=http://127.0.0.1:15021/healthz/ready", "-wait_probe_tcp", "127.0.0.1:5432",
		"-wait_probe_exec", `vault=["/bin/check","a=b"]`, "-entrypoint", "app", "--"})
	if err != nil {
		t.Fatal(err)
	}
	want := []WaitProbe{
		{Name: "istio-proxy", Kind: ReadyHTTP, Target: "http://127.0.0.1:15021/healthz/ready"},
		{Kind: ReadyTCP, Target: "127.0.0.1:5432"},
		{Name: "vault", Kind: ReadyExec, Target: `["/bin/check","a=b"]`, Argv: []string{"/bin/check", "a=b"}},
	}
	if len(c.WaitProbes) != len(want) {
		t.Fatalf("%+v", c.WaitProbes)
	}
	for i := range want {
		g, w := c.WaitProbes[i], want[i]
		if g.Name != w.Name || g.Kind != w.Kind || g.Target != w.Target || strings.Join(g.Argv, "\x00") != strings.Join(w.Argv, "\x00") {
			t.Errorf("probe %d: %+v, want %+v", i, g, w)
		}
	}
	for _, bad := range [][]string{
		{"-wait_probe_http", "x=https://127.0.0.1/"},
		{"-wait_probe_http", "127.0.0.1:80"},
		{"-wait_probe_tcp", "x=127.0.0.1"},
		{"-wait_probe_exec", "x=/bin/check"},
		{"-wait_probe_exec", "[]"},
	} {
		if _, err := ParseFlags(append(bad, "-entrypoint", "app", "--")); err == nil {
			t.Errorf("%q accepted", bad)
		} else if _, ok := err.(*UsageError); !ok {
			t.Errorf("%q: %T %v, want a usage error", bad, err, err)
		}
	}
}
