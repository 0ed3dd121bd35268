package entrypoint

import (
	"context"
	"os"
	"syscall"
	"time"
)

// stopper is the stop sequence of a running child. A received signal is forwarded,
// except the first SIGTERM under -stop_after, which starts the hold: the child keeps
// running until the listed files exist (or -stop_grace is spent), then gets SIGTERM.
// When the wrapper itself ends the child (-timeout, -ready_timeout, -exit_with), it
// sends SIGTERM and, once -stop_grace is spent, SIGKILL.
type stopper struct {
	proc      Process
	waiter    Waiter
	stopAfter []string
	grace     time.Duration

	holdC      chan struct{}      // closed when the hold ends; nil when not holding
	holdCancel context.CancelFunc // ends the hold early
	holding    bool
	termSent   bool             // SIGTERM reached the child as a signal or after the hold
	killC      <-chan time.Time // fires -stop_grace after stop()
}

func newStopper(proc Process, w Waiter, c *Config) *stopper {
	return &stopper{proc: proc, waiter: w, stopAfter: c.StopAfter, grace: c.StopGrace, holdCancel: func() {}}
}

// signal takes a signal the wrapper received.
func (s *stopper) signal(v os.Signal) {
	sig, ok := v.(syscall.Signal)
	if !ok || sig == syscall.SIGCHLD || sig == syscall.SIGURG {
		return
	}
	if sig == syscall.SIGTERM && len(s.stopAfter) > 0 && !s.termSent {
		if !s.holding {
			s.hold()
			return
		}
		s.holdCancel() // a second SIGTERM ends the hold
	}
	if sig == syscall.SIGTERM {
		s.termSent = true
	}
	s.proc.Signal(sig)
}

// hold keeps the child up until the -stop_after files exist: the shutdown order.
func (s *stopper) hold() {
	s.holding = true
	ctx, cancel := context.WithTimeout(context.Background(), s.grace)
	s.holdCancel = cancel
	s.holdC = make(chan struct{})
	go func(done chan struct{}) {
		s.waiter.Wait(ctx, s.stopAfter, WaitOptions{AnyOutcome: true, Live: liveByName(s.stopAfter)})
		close(done)
	}(s.holdC)
}

// holdOver ends the hold: the child gets its SIGTERM now.
func (s *stopper) holdOver() {
	s.holdC = nil
	if !s.termSent {
		s.termSent = true
		s.proc.Signal(syscall.SIGTERM)
	}
}

// stop ends the child on the wrapper's own account: SIGTERM now, SIGKILL later.
func (s *stopper) stop() {
	s.proc.Signal(syscall.SIGTERM)
	if s.killC == nil {
		s.killC = time.NewTimer(s.grace).C
	}
}

// kill is the end of -stop_grace after stop().
func (s *stopper) kill() {
	s.killC = nil
	s.proc.Signal(syscall.SIGKILL)
}

func (s *stopper) close() { s.holdCancel() }

// liveByName marks the paths of a -stop_after or -exit_with list that name another
// wrapper's status file (base name started, ready, completed or exited).
func liveByName(paths []string) map[string]bool {
	var m map[string]bool
	for _, p := range paths {
		if _, ok := statusCond(p); ok {
			if m == nil {
				m = map[string]bool{}
			}
			m[p] = true
		}
	}
	return m
}
