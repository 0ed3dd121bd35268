// Command workload is the e2e test workload (image localhost/startorder/workload:e2e).
//
// It writes one JSON object per line to stdout:
//
//	{"event":"start","ts":<unix nanos>,"name":...,"pid":...,"args":[...]}
//	{"event":"ready","ts":<unix nanos>,"start":<unix nanos>,"name":...}
//	{"event":"signal","ts":<unix nanos>,"signal":"terminated","signo":15,"name":...}
//	{"event":"exit","ts":<unix nanos>,"code":N,"reason":"...","name":...}
//
// Behaviour (each flag has an environment variable default, in brackets):
//
//	-name [WORKLOAD_NAME]              name put in every log line (default: hostname)
//	-ready-after [WORKLOAD_READY_AFTER] delay from start until ready (Go duration, default 0)
//	-port [WORKLOAD_PORT]              serve HTTP on this port (0 = no server): /ready is 200
//	                                   once ready and 503 before, /healthz and /started are 200
//	-ready-file [WORKLOAD_READY_FILE]  file written when ready (contents: the ready JSON line)
//	-exit-after [WORKLOAD_EXIT_AFTER]  exit this long after start (0 = never)
//	-exit-code [WORKLOAD_EXIT_CODE]    exit code used for -exit-after (default 0)
//	-term-delay [WORKLOAD_TERM_DELAY]  on SIGTERM/SIGINT wait this long before exiting
//	-term-exit-code [WORKLOAD_TERM_EXIT_CODE] exit code after SIGTERM/SIGINT (default 0)
//	-listen [WORKLOAD_LISTEN]          address the HTTP server binds (default: all; 127.0.0.1 = loopback only)
//	-attempt-file [WORKLOAD_ATTEMPT_FILE] counts this container's attempts across restarts (put it on
//	                                   an emptyDir); the start event carries "attempt": N (1 = first)
//	-fail-attempts [WORKLOAD_FAIL_ATTEMPTS] attempts up to N exit with -exit-code, later ones with 0
//	-unready-attempts [WORKLOAD_UNREADY_ATTEMPTS] attempts up to N never become ready
//	-ready-path [WORKLOAD_READY_PATH]  one more path that answers like /ready (e.g. /healthz/ready, the
//	                                   path of Istio's proxy on :15021)
//
// Every signal received (except SIGURG, which the Go runtime uses internally)
// is logged with a timestamp.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	logMu   sync.Mutex
	logName string
)

func logEvent(event string, fields map[string]any) string {
	m := map[string]any{"event": event, "ts": time.Now().UnixNano(), "name": logName}
	for k, v := range fields {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	logMu.Lock()
	defer logMu.Unlock()
	os.Stdout.Write(append(b, '\n'))
	return string(b)
}

func envString(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "workload: bad %s=%q\n", key, v)
		os.Exit(2)
	}
	return def
}

func envInt(key string, def int) int {
	if v := os.Getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		fmt.Fprintf(os.Stderr, "workload: bad %s=%q\n", key, v)
		os.Exit(2)
	}
	return def
}

func exit(code int, reason string) {
	logEvent("exit", map[string]any{"code": code, "reason": reason})
	os.Exit(code)
}

func main() {
	start := time.Now()
	host, _ := os.Hostname()
	var (
		name         = flag.String("name", envString("WORKLOAD_NAME", host), "name in log lines")
		readyAfter   = flag.Duration("ready-after", envDuration("WORKLOAD_READY_AFTER", 0), "delay until ready")
		port         = flag.Int("port", envInt("WORKLOAD_PORT", 0), "HTTP port (0 = none)")
		readyFile    = flag.String("ready-file", envString("WORKLOAD_READY_FILE", ""), "file to write when ready")
		exitAfter    = flag.Duration("exit-after", envDuration("WORKLOAD_EXIT_AFTER", 0), "exit after this long (0 = never)")
		exitCode     = flag.Int("exit-code", envInt("WORKLOAD_EXIT_CODE", 0), "exit code for -exit-after")
		termDelay    = flag.Duration("term-delay", envDuration("WORKLOAD_TERM_DELAY", 0), "delay before exiting on SIGTERM/SIGINT")
		termExitCode = flag.Int("term-exit-code", envInt("WORKLOAD_TERM_EXIT_CODE", 0), "exit code after SIGTERM/SIGINT")
		listen       = flag.String("listen", envString("WORKLOAD_LISTEN", ""), "address the HTTP server binds")
		attemptFile  = flag.String("attempt-file", envString("WORKLOAD_ATTEMPT_FILE", ""), "attempt counter file")
		failAttempts = flag.Int("fail-attempts", envInt("WORKLOAD_FAIL_ATTEMPTS", -1), "attempts that exit with -exit-code (-1 = all)")
		unready      = flag.Int("unready-attempts", envInt("WORKLOAD_UNREADY_ATTEMPTS", 0), "attempts that never become ready")
		readyPath    = flag.String("ready-path", envString("WORKLOAD_READY_PATH", ""), "one more path answering like /ready")
	)
	flag.Parse()
	logName = *name

	attempt := 1
	if *attemptFile != "" {
		if b, err := os.ReadFile(*attemptFile); err == nil {
			if n, err := strconv.Atoi(string(b)); err == nil {
				attempt = n + 1
			}
		}
		if err := os.WriteFile(*attemptFile, []byte(strconv.Itoa(attempt)), 0o666); err != nil {
			fmt.Fprintf(os.Stderr, "workload: %v\n", err)
			os.Exit(2)
		}
	}
	if *failAttempts >= 0 && attempt > *failAttempts {
		*exitCode = 0
	}

	// Subscribe to signals before announcing the start.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs)

	logEvent("start", map[string]any{"start": start.UnixNano(), "pid": os.Getpid(), "args": os.Args[1:],
		"uid": os.Getuid(), "ready_after": readyAfter.String(), "port": *port, "attempt": attempt})

	var ready atomic.Bool
	if *port > 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(*listen, strconv.Itoa(*port)))
		if err != nil {
			logEvent("error", map[string]any{"error": err.Error()})
			exit(3, "listen")
		}
		mux := http.NewServeMux()
		readyHandler := func(w http.ResponseWriter, r *http.Request) {
			if ready.Load() {
				fmt.Fprintln(w, "ready")
				return
			}
			http.Error(w, "not ready", http.StatusServiceUnavailable)
		}
		mux.HandleFunc("/ready", readyHandler)
		if *readyPath != "" && *readyPath != "/ready" {
			mux.HandleFunc(*readyPath, readyHandler)
		}
		ok := func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }
		mux.HandleFunc("/healthz", ok)
		mux.HandleFunc("/started", ok)
		go func() { _ = http.Serve(ln, mux) }()
	}

	readyTimer := time.NewTimer(time.Until(start.Add(*readyAfter)))
	if attempt <= *unready {
		readyTimer.Stop()
	}
	var exitTimer <-chan time.Time
	if *exitAfter > 0 {
		exitTimer = time.After(time.Until(start.Add(*exitAfter)))
	}
	for {
		select {
		case <-readyTimer.C:
			line := logEvent("ready", map[string]any{"start": start.UnixNano()})
			if *readyFile != "" {
				if err := os.WriteFile(*readyFile, []byte(line+"\n"), 0o644); err != nil {
					logEvent("error", map[string]any{"error": err.Error()})
				}
			}
			ready.Store(true)
		case <-exitTimer:
			exit(*exitCode, "exit-after")
		case s := <-sigs:
			if s == syscall.SIGURG {
				continue
			}
			signo := -1
			if ss, ok := s.(syscall.Signal); ok {
				signo = int(ss)
			}
			logEvent("signal", map[string]any{"signal": s.String(), "signo": signo})
			if s == syscall.SIGTERM || s == syscall.SIGINT {
				go func() {
					time.Sleep(*termDelay)
					exit(*termExitCode, "signal "+s.String())
				}()
			}
		}
	}
}
