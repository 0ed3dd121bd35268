package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// The wrapper binary waits for a dependency it probes (-wait_probe_*): a real server
// that answers 503 before it answers 200, and an exec probe that the wrapper, PID 1 of
// its container in a pod, starts and reaps itself.
func TestWaitProbeBinary(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	flags := []string{"-status_dir", dir + "/app", "-wait_probe_http", "istio-proxy=" + srv.URL + "/healthz/ready",
		"-wait_probe_exec", `vault=["/bin/sh","-c","exit 0"]`, "-termination_path", dir + "/term"}
	r := runW(t, flags, "exit", "7")
	if r.code != 7 || n.Load() != 3 {
		t.Fatalf("code %d after %d requests: %s", r.code, n.Load(), r.stderr)
	}
	if !strings.Contains(r.stderr, "waited ") || !strings.Contains(r.stderr, "istio-proxy ready (probe http ") || !strings.Contains(r.stderr, "vault ready (probe exec ") {
		t.Errorf("stderr %s", r.stderr)
	}
	// never ready: the deadline, exit 3, the reason in the termination message
	r = runW(t, append(flags[:4:4], "-wait_timeout", "300ms", "-termination_path", dir+"/term2", "-wait_probe_tcp", "db=127.0.0.1:1"), "exit", "0")
	if term := readFile(t, dir+"/term2"); r.code != 3 || !strings.Contains(term, `WaitTimeout: -wait_timeout 300ms spent waiting for db ready (probe tcp 127.0.0.1:1): last attempt: `) {
		t.Errorf("code %d, termination message %s", r.code, term)
	}
	if !exists(dir + "/app/started.err") {
		t.Error("started.err not written (restart policy Never: the timeout is final)")
	}
}
