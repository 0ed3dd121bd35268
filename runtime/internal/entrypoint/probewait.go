package entrypoint

import (
	"context"
	"strings"
	"sync"
)

// The -wait_probe_* waits: dependencies the wrapper probes directly because no wrapper
// of theirs writes status files (a sidecar injected at admission, a container left
// unwrapped). Each probe runs like a readiness probe (probeLoop: every
// DefaultReadyPeriod, each attempt within its own absolute deadline) until it passes
// or the wait's context ends (-wait_timeout, a signal, a failed status wait).

// probeWait is one probe and what is known of it so far.
type probeWait struct {
	WaitProbe
	mu     sync.Mutex
	passed bool
	last   string // the last attempt's error, for the give-up line and the reason
}

// probeSet runs every -wait_probe_* of the config; done delivers nil once all passed,
// ctx's error otherwise.
type probeSet struct {
	waits []*probeWait
	done  chan error
}

// startProbeWaits launches the probes under ctx (nil when there are none).
func (r *Runner) startProbeWaits(ctx context.Context) *probeSet {
	if len(r.Cfg.WaitProbes) == 0 {
		return nil
	}
	s := &probeSet{done: make(chan error, 1)}
	errs := make(chan error, len(r.Cfg.WaitProbes))
	for _, wp := range r.Cfg.WaitProbes {
		w := &probeWait{WaitProbe: wp}
		s.waits = append(s.waits, w)
		p := w.prober(ctx, r.Exec, r.Env)
		go func() { errs <- probeLoop(ctx, p, DefaultReadyPeriod) }()
	}
	go func() {
		var first error
		for range s.waits {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		s.done <- first
	}()
	return s
}

// prober is the probe's check, recording each attempt's outcome.
func (w *probeWait) prober(wait context.Context, ex Executor, env []string) Prober {
	check := func(ctx context.Context) error {
		switch w.Kind {
		case ReadyHTTP:
			return ProbeHTTP(ctx, w.Target, nil)
		case ReadyTCP:
			return ProbeTCP(ctx, w.Target)
		}
		return probeExec(ctx, ex, w.Argv, env)
	}
	return ProberFunc(func(ctx context.Context) error {
		err := check(ctx)
		w.mu.Lock()
		defer w.mu.Unlock()
		if err == nil {
			w.passed = true
		} else if wait.Err() == nil || w.last == "" {
			// an attempt cut short by the end of the whole wait says less than the one before
			w.last = err.Error()
		}
		return err
	})
}

// String names the probe for a person: "istio-proxy ready (probe http 127.0.0.1:15021/healthz/ready)".
func (w *probeWait) String() string {
	what := "probe " + w.Kind.String() + " " + strings.TrimPrefix(w.Target, "http://")
	if w.Kind == ReadyExec {
		what = "probe exec " + strings.Join(w.Argv, " ")
	}
	if w.Name == "" {
		return what
	}
	return w.Name + " ready (" + what + ")"
}

// pending names the probes that have not passed; withError adds each one's last error.
func (s *probeSet) pending(withError bool) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, w := range s.waits {
		w.mu.Lock()
		passed, last := w.passed, w.last
		w.mu.Unlock()
		if passed {
			continue
		}
		d := w.String()
		if withError && last != "" {
			d += ": last attempt: " + last
		}
		out = append(out, d)
	}
	return out
}

// names lists every probe, for the start and end lines.
func (s *probeSet) names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.waits))
	for i, w := range s.waits {
		out[i] = w.String()
	}
	return out
}

// doneCh is the channel of the probes' outcome; nil (never ready) without probes.
func (s *probeSet) doneCh() <-chan error {
	if s == nil {
		return nil
	}
	return s.done
}

// joinNonEmpty joins the non-empty parts with ", ".
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}
