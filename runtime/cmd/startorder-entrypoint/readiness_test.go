package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Readiness kinds and their deadlines, on real processes.

// -ready_self: ready only once the child says so.
func TestReadySelf(t *testing.T) {
	dir := t.TempDir()
	cmd := wrapper([]string{"-status_dir", dir + "/self", "-ready_self"}, "sleep", "100ms", "stamp", dir+"/self-stamp", "readyself", "sleep", "1m")
	cmd.Start()
	eventually(t, "ready", func() bool { return exists(dir + "/self/ready") })
	said, _ := strconv.ParseInt(strings.TrimSpace(readFile(t, dir+"/self-stamp")), 10, 64)
	ready, _ := time.Parse(time.RFC3339Nano, readFile(t, dir+"/self/ready"))
	if ready.UnixNano() < said {
		t.Errorf("ready %v before the child said so %v", ready, time.Unix(0, said))
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

// -ready_http against a server that turns healthy after a while: ready is written
// after the server turned healthy.
func TestReadyHTTP(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	var healthySince time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if healthySince.IsZero() {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	time.AfterFunc(150*time.Millisecond, func() { mu.Lock(); healthySince = time.Now(); mu.Unlock() })
	cmd := wrapper([]string{"-status_dir", dir + "/http", "-ready_http", srv.URL + "/healthz", "-ready_period", "20ms"}, "sleep", "1m")
	cmd.Start()
	eventually(t, "http ready", func() bool { return exists(dir + "/http/ready") })
	ready, _ := time.Parse(time.RFC3339Nano, readFile(t, dir+"/http/ready"))
	mu.Lock()
	since := healthySince
	mu.Unlock()
	if since.IsZero() || ready.Before(since) {
		t.Errorf("ready at %v, the server healthy since %v", ready, since)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

// -ready_exec and -ready_tcp: the child sees its own ready file appear.
func TestReadyExecAndTCP(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	execArgv, _ := json.Marshal([]string{childBin, "exit", "0"})
	for name, flags := range map[string][]string{
		"exec": {"-ready_exec", string(execArgv)},
		"tcp":  {"-ready_tcp", ln.Addr().String()},
	} {
		r := runW(t, append(flags, "-status_dir", dir+"/"+name), "waitfile", dir+"/"+name+"/ready", "exit", "0")
		if r.code != 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// A readiness timeout stops the child and ends with 5 (finding 6: it used to leave
// the child running with a permanent ready.err). Under Never that is final; under
// Always the kubelet restarts the container, so nothing is.
func TestReadyTimeout(t *testing.T) {
	dir := t.TempDir()
	r := runW(t, []string{"-status_dir", dir + "/to", "-ready_tcp", "127.0.0.1:1", "-ready_timeout", "100ms"},
		"sleep", "1m")
	if r.code != 5 || exists(dir+"/to/ready") || !exists(dir+"/to/ready.err") || !exists(dir+"/to/completed.err") || exists(dir+"/to/completed") {
		t.Errorf("ready_timeout: %+v", r)
	}
	r = runW(t, []string{"-status_dir", dir + "/toa", "-ready_tcp", "127.0.0.1:1", "-ready_timeout", "100ms", "-restart_policy", "Always"},
		"sleep", "1m")
	if r.code != 5 || exists(dir+"/toa/ready.err") || exists(dir+"/toa/completed.err") || !exists(dir+"/toa/exited") {
		t.Errorf("ready_timeout under Always: %+v", r)
	}
}

// tcpServer serves every connection to a loopback listener with handle, until the
// test ends, and returns its address.
func tcpServer(t *testing.T, handle func(c net.Conn)) (addr string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return l.Addr().String()
}

// dripServer answers every connection with one byte every 0.5 s, forever (until the
// client goes away).
func dripServer(t *testing.T) (addr string) {
	return tcpServer(t, func(c net.Conn) {
		bufio.NewReader(c).ReadString('\n')
		for {
			if _, err := c.Write([]byte("H")); err != nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	})
}

// headerServer answers 200 to a request with the header X-Probe: yes, 403 otherwise.
func headerServer(c net.Conn) {
	br := bufio.NewReader(c)
	var head []string
	for {
		line, err := br.ReadString('\n')
		if err != nil || line == "\r\n" {
			break
		}
		head = append(head, strings.TrimSpace(line))
	}
	status := "403 Forbidden"
	for _, h := range head {
		if h == "X-Probe: yes" {
			status = "200 OK"
		}
	}
	fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", status)
}

// Finding 6: a server that drips one byte every 0.5 s cannot keep a probe attempt
// alive past its deadline: probe http ends with 1 at -timeout, and -ready_timeout
// ends the readiness wait (exit 5) although each attempt may last -ready_period.
func TestTimeoutsHoldAgainstADrippingServer(t *testing.T) {
	addr := dripServer(t)
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", "http://"+addr+"/", "-timeout", "300ms")); r.code != 1 {
		t.Errorf("probe http: %+v", r)
	}
	dir := t.TempDir()
	r := runW(t, []string{"-status_dir", dir + "/s", "-ready_http", "http://" + addr + "/", "-ready_period", "20s", "-ready_timeout", "300ms"}, "sleep", "1m")
	if r.code != 5 || !exists(dir+"/s/ready.err") {
		t.Errorf("-ready_timeout: %+v", r)
	}
}

// -ready_http_header and probe http -header reach the server (issue 9).
func TestHTTPHeaders(t *testing.T) {
	u := "http://" + tcpServer(t, headerServer) + "/healthz"
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", u)); r.code != 1 {
		t.Errorf("without header: %+v", r)
	}
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", u, "-header", "X-Probe: yes")); r.code != 0 {
		t.Errorf("with header: %+v", r)
	}
	dir := t.TempDir()
	r := runW(t, []string{"-status_dir", dir + "/s", "-ready_http", u, "-ready_http_header", "X-Probe: yes", "-ready_timeout", "10s"},
		"waitfile", dir+"/s/ready", "exit", "0")
	if r.code != 0 {
		t.Errorf("-ready_http_header: %+v", r)
	}
}
