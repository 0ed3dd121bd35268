package entrypoint

import (
	"context"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lineLog collects the runner's stderr lines as they come.
type lineLog struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func newLineLog() *lineLog { return &lineLog{added: make(chan struct{}, 1024)} }

func (l *lineLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		l.lines = append(l.lines, strings.TrimPrefix(s, "startorder-entrypoint: "))
		l.added <- struct{}{}
	}
	return len(b), nil
}

func (l *lineLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// clock advances 30 s on every reading, so the elapsed times in the lines are exact.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(30 * time.Second)
		return t
	}
}

// pendingWaiter is a fakeWaiter that also says which paths are pending.
type pendingWaiter struct {
	fakeWaiter
	pending []string
}

func (w *pendingWaiter) Pending([]string, WaitOptions) []string { return w.pending }

type waitRun struct {
	cfg    Config
	waiter Waiter
	sigs   chan os.Signal
	log    *lineLog
}

func newWaitRun(cfg Config, w Waiter) *waitRun {
	cfg.Argv, cfg.ReadyPeriod, cfg.StopGrace = []string{"app"}, time.Millisecond, time.Second
	return &waitRun{cfg: cfg, waiter: w, sigs: make(chan os.Signal, 1), log: newLineLog()}
}

// start runs the wrapper; its child exits 0 at once.
func (w *waitRun) start() <-chan Result {
	proc := &fakeProc{done: make(chan ExitStatus, 1)}
	proc.exit(ExitStatus{})
	r := &Runner{
		Cfg: w.cfg, Waiter: w.waiter, Status: &fakeStatus{files: map[string]string{}},
		Exec:    &fakeExec{proc: proc, startedC: make(chan struct{})},
		Signals: w.sigs, Now: clock(), Log: w.log, WaitReport: time.Millisecond,
	}
	ch := make(chan Result, 1)
	go func() { ch <- r.Run() }()
	return ch
}

func result(t *testing.T, ch <-chan Result) Result {
	t.Helper()
	select {
	case res := <-ch:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
		return Result{}
	}
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The wait is announced with its timeout, reported every WaitReport with the time
// spent so far, and its end is announced: `kubectl logs` says why a container waits.
func TestWaitReportLines(t *testing.T) {
	release := make(chan struct{})
	dep, gate := "/startorder/run/config-agent/ready", "/startorder/downward/ready"
	wr := newWaitRun(Config{WaitFiles: []string{gate}, WaitStatus: []string{dep}},
		&fakeWaiter{by: map[string]waitFn{gate: waitUntil(release)}})
	res := wr.start()
	for len(wr.log.all()) < 4 { // the first line and three reports
		<-wr.log.added
	}
	close(release)
	if r := result(t, res); r.Code != 0 {
		t.Fatalf("%+v", r)
	}
	lines := wr.log.all()
	if len(lines) < 5 {
		t.Fatalf("lines %q", lines)
	}
	n := len(lines) - 2 // the reports
	want := []string{"waiting for /startorder/downward/ready, config-agent ready (no -wait_timeout)"}
	for i := 1; i <= n; i++ {
		want = append(want, "waiting "+(time.Duration(i)*30*time.Second).String()+" for /startorder/downward/ready, config-agent ready")
	}
	want = append(want, "waited "+(time.Duration(n+1)*30*time.Second).String()+" for /startorder/downward/ready, config-agent ready: starting the child")
	wantLines(t, lines, want...)
}

// A waiter that knows which paths are still pending has only those named.
func TestWaitReportNamesWhatIsPending(t *testing.T) {
	release := make(chan struct{})
	db, cache := "/startorder/run/db/ready", "/startorder/run/cache/started"
	w := &pendingWaiter{fakeWaiter: fakeWaiter{by: map[string]waitFn{db: waitUntil(release)}}, pending: []string{cache}}
	wr := newWaitRun(Config{WaitStatus: []string{db, cache}, WaitTimeout: time.Hour}, w)
	res := wr.start()
	for len(wr.log.all()) < 2 {
		<-wr.log.added
	}
	close(release)
	result(t, res)
	lines := wr.log.all()
	wantLines(t, lines[:2], "waiting for db ready, cache started (-wait_timeout 1h0m0s)", "waiting 30s for cache started")
}

func TestWaitReportWhenTheWaitFails(t *testing.T) {
	dep := "/startorder/run/db/completed"
	for _, tc := range []struct {
		name string
		cfg  Config
		wait waitFn
		sig  os.Signal
		want []string
		code int
	}{
		{name: "timeout", cfg: Config{WaitTimeout: 50 * time.Millisecond}, wait: waitForever(), code: ExitDependency,
			want: []string{"gave up after %s waiting for db completed",
				"WaitTimeout: -wait_timeout 50ms spent waiting for " + dep}},
		{name: "failed", wait: waitFail(), code: ExitDependency,
			want: []string{"gave up after 30s waiting for db completed: db completed can never happen",
				"DependencyFailed: " + dep + " (its wrapper is dead and will not be restarted)"}},
		{name: "SIGTERM", wait: waitForever(), sig: syscall.SIGTERM, code: ExitSignalBase + int(syscall.SIGTERM),
			want: []string{"gave up after 30s waiting for db completed: terminated (signal 15)",
				"Terminated: terminated (signal 15) while waiting for dependencies"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.WaitStatus = []string{dep}
			wr := newWaitRun(tc.cfg, &fakeWaiter{by: map[string]waitFn{dep: tc.wait}})
			wr.waiter.(*fakeWaiter).by[dep] = tc.wait
			res := wr.start()
			<-wr.log.added
			if tc.sig != nil {
				wr.sigs <- tc.sig
			}
			if r := result(t, res); r.Code != tc.code {
				t.Fatalf("%+v", r)
			}
			var got []string
			reports := 0
			for _, l := range wr.log.all()[1:] {
				if strings.HasPrefix(l, "waiting ") { // reports while the timeout runs
					reports++
				} else {
					got = append(got, l)
				}
			}
			// The clock moves 30 s per reading: one for the start, one per report.
			tc.want[0] = strings.Replace(tc.want[0], "%s", (time.Duration(reports+1) * 30 * time.Second).String(), 1)
			wantLines(t, got, tc.want...)
		})
	}
}

// Without dependencies there is no wait, and nothing is said about one.
func TestNoWaitNoReport(t *testing.T) {
	wr := newWaitRun(Config{}, &fakeWaiter{by: map[string]waitFn{"x": func(context.Context, []string, WaitOptions) ([]string, error) {
		return nil, nil
	}}})
	result(t, wr.start())
	wantLines(t, wr.log.all())
}
