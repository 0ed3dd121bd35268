package entrypoint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Prober performs one readiness check: nil means ready.
type Prober interface {
	Probe(ctx context.Context) error
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context) error

func (f ProberFunc) Probe(ctx context.Context) error { return f(ctx) }

// attemptTimeout bounds a single probe attempt.
func attemptTimeout(period time.Duration) time.Duration {
	return max(period, time.Second)
}

// NewProber returns the periodic prober for -ready_exec, -ready_http and -ready_tcp
// (nil for the other kinds, which wait on files instead).
func NewProber(cfg *Config, ex Executor, env []string) Prober {
	switch cfg.Ready {
	case ReadyExec:
		argv := cfg.ReadyArgv
		return ProberFunc(func(ctx context.Context) error { return probeExec(ctx, ex, argv, env) })
	case ReadyHTTP:
		u, h := cfg.ReadyTarget, cfg.ReadyHTTPHeaders
		return ProberFunc(func(ctx context.Context) error { return ProbeHTTP(ctx, u, h) })
	case ReadyTCP:
		a := cfg.ReadyTarget
		return ProberFunc(func(ctx context.Context) error { return ProbeTCP(ctx, a) })
	}
	return nil
}

func probeExec(ctx context.Context, ex Executor, argv, env []string) error {
	p, err := ex.Start(ProcSpec{Argv: argv, Env: env})
	if err != nil {
		return err
	}
	select {
	case st := <-p.Done():
		if st.Signal != 0 || st.Code != 0 {
			return fmt.Errorf("probe exited %d", st.WrapperCode())
		}
		return nil
	case <-ctx.Done():
		p.Signal(syscall.SIGKILL)
		<-p.Done()
		return ctx.Err()
	}
}

// ProbeTCP succeeds when addr accepts a TCP connection.
func ProbeTCP(ctx context.Context, addr string) error {
	c, err := dialTCP(ctx, addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// ProbeHTTP succeeds when a GET of rawURL answers with a status in 200-399, like a
// Kubernetes httpGet probe. headers are "Name: value" lines; a Host header replaces
// the default one. A tiny HTTP/1.1 client keeps net/http (and its megabytes) out of
// the binary; redirects are not followed. The whole attempt ends at ctx's deadline.
func ProbeHTTP(ctx context.Context, rawURL string, headers []string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return errors.New("not an http:// URL")
	}
	host := u.Host
	if u.Port() == "" {
		host = u.Hostname() + ":80"
		if strings.Contains(u.Hostname(), ":") {
			host = "[" + u.Hostname() + "]:80"
		}
	}
	c, err := dialTCP(ctx, host)
	if err != nil {
		return err
	}
	defer c.Close()
	path := u.RequestURI()
	hostHeader, extra := u.Host, ""
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		if strings.EqualFold(name, "Host") {
			hostHeader = strings.TrimSpace(value)
			continue
		}
		extra += h + "\r\n"
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: startorder-probe\r\nAccept: */*\r\n" + extra + "Connection: close\r\n\r\n"
	if err := c.write([]byte(req)); err != nil {
		return err
	}
	line, err := c.readLine()
	if err != nil {
		return err
	}
	// "HTTP/1.1 200 OK"
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return errors.New("not an HTTP response")
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return errors.New("bad HTTP status line")
	}
	if code < 200 || code > 399 {
		return fmt.Errorf("HTTP status %d", code)
	}
	return nil
}

// ProbeOnce runs the probe subcommand: 0 when the check passes before timeout, 1
// when not. It installs no signal handler, so SIGTERM and SIGINT end it at once.
func ProbeOnce(kind, target string, headers []string, timeout time.Duration) int {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var err error
	switch kind {
	case "file":
		_, err = os.Stat(target)
	case "http":
		err = ProbeHTTP(ctx, target, headers)
	case "tcp":
		err = ProbeTCP(ctx, target)
	default:
		return ExitUsage
	}
	if err != nil {
		return 1
	}
	return 0
}
