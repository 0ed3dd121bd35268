package entrypoint

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"startorder/runtime/internal/testchild"
)

func TestMain(m *testing.M) {
	testchild.Main() // acts as the scripted child when re-invoked by a test
	os.Exit(m.Run())
}

func childEnv() []string { return append(os.Environ(), testchild.Env+"=1") }

func self(t *testing.T) string {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func waitDone(t *testing.T, p Process) ExitStatus {
	t.Helper()
	select {
	case st := <-p.Done():
		return st
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit")
		return ExitStatus{}
	}
}

func TestSysExecutor(t *testing.T) {
	// ReapAll would steal the exit statuses of other tests' children; the wrapper binary
	// (real-process tests) covers it.
	ex := &SysExecutor{}
	t.Run("exit codes", func(t *testing.T) {
		for _, code := range []int{0, 1, 2, 3, 42, 126, 127, 128, 255} {
			p, err := ex.Start(ProcSpec{Argv: []string{self(t), "exit", itoa(code)}, Env: childEnv()})
			if err != nil {
				t.Fatal(err)
			}
			if st := waitDone(t, p); st != (ExitStatus{Code: code}) || st.WrapperCode() != code {
				t.Errorf("exit %d: got %+v", code, st)
			}
		}
	})
	t.Run("signal to the process group", func(t *testing.T) {
		p, err := ex.Start(ProcSpec{Argv: []string{self(t), "sleep", "1m"}, Env: childEnv()})
		if err != nil {
			t.Fatal(err)
		}
		if pgid, _ := syscall.Getpgid(p.Pid()); pgid != p.Pid() {
			t.Errorf("child pgid %d, want its own group %d", pgid, p.Pid())
		}
		p.Signal(syscall.SIGTERM)
		if st := waitDone(t, p); st.Signal != syscall.SIGTERM || st.WrapperCode() != 128+15 {
			t.Errorf("got %+v", st)
		}
	})
	t.Run("not found", func(t *testing.T) {
		for _, argv0 := range []string{"no-such-command-startorder", "/no/such/file"} {
			_, err := ex.Start(ProcSpec{Argv: []string{argv0}, Env: []string{"PATH=/usr/bin:/bin"}})
			if ExitCode(err) != ExitNotFound {
				t.Errorf("%s: %v -> %d", argv0, err, ExitCode(err))
			}
		}
	})
	t.Run("not executable", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(dir+"/script", []byte("#!/bin/sh\n"), 0o644)
		os.WriteFile(dir+"/junk", []byte("not a program"), 0o755)
		for _, argv := range [][]string{{dir + "/script"}, {"script"}, {dir + "/junk"}, {dir}} {
			_, err := ex.Start(ProcSpec{Argv: argv, Env: []string{"PATH=" + dir}})
			if ExitCode(err) != ExitNotExecutable {
				t.Errorf("%q: %v -> %d", argv, err, ExitCode(err))
			}
		}
	})
	t.Run("PATH comes from the child's environment", func(t *testing.T) {
		dir := t.TempDir()
		os.Symlink(self(t), dir+"/helper")
		p, err := ex.Start(ProcSpec{Argv: []string{"helper", "exit", "9"}, Env: append(childEnv(), "PATH=/nonexistent:"+dir)})
		if err != nil {
			t.Fatal(err)
		}
		if st := waitDone(t, p); st.Code != 9 {
			t.Errorf("%+v", st)
		}
	})
}

func TestProbes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var status = 200
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.URL.RawQuery != "x=1" {
			w.WriteHeader(404)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	u := srv.URL + "/healthz?x=1"
	if err := ProbeHTTP(ctx, u, nil); err != nil {
		t.Errorf("200: %v", err)
	}
	status = 302
	if err := ProbeHTTP(ctx, u, nil); err != nil {
		t.Errorf("302: %v", err)
	}
	status = 503
	if err := ProbeHTTP(ctx, u, nil); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("503: %v", err)
	}
	if err := ProbeHTTP(ctx, srv.URL+"/other", nil); err == nil {
		t.Error("404 accepted")
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if err := ProbeTCP(ctx, host); err != nil {
		t.Errorf("tcp: %v", err)
	}
	_, port, _ := net.SplitHostPort(host)
	if err := ProbeTCP(ctx, "localhost:"+port); err != nil {
		t.Errorf("tcp via localhost: %v", err)
	}
	// A port nobody listens on: take one and close it.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	if err := ProbeTCP(ctx, closed); err == nil {
		t.Error("closed port accepted")
	}
	if err := ProbeHTTP(ctx, "http://"+closed+"/", nil); err == nil {
		t.Error("closed port accepted (http)")
	}
	if err := ProbeTCP(ctx, "no-such-host.invalid:80"); err == nil {
		t.Error("unresolvable name accepted")
	}
	if got := ProbeOnce("tcp", host, nil, time.Second); got != 0 {
		t.Errorf("ProbeOnce tcp = %d", got)
	}
	if got := ProbeOnce("file", "/nonexistent", nil, time.Second); got != 1 {
		t.Errorf("ProbeOnce file = %d", got)
	}
}

func TestProbeExec(t *testing.T) {
	ex := &SysExecutor{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := probeExec(ctx, ex, []string{self(t), "exit", "0"}, childEnv()); err != nil {
		t.Errorf("exit 0: %v", err)
	}
	if err := probeExec(ctx, ex, []string{self(t), "exit", "1"}, childEnv()); err == nil {
		t.Error("exit 1 accepted")
	}
	short, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if err := probeExec(short, ex, []string{self(t), "sleep", "1m"}, childEnv()); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("hung probe: %v after %v", err, time.Since(start))
	}
}

func TestSplitHostPort(t *testing.T) {
	for in, ok := range map[string]bool{"a:1": true, "[::1]:80": true, "1.2.3.4:65535": true, "::1:80": false, "a": false, "a:0": false, ":80": false, "[::1:80": false} {
		if _, _, err := splitHostPort(in); (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
}
