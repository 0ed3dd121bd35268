package entrypoint

import (
	"context"
	"errors"
	"time"
)

func (r *Runner) markReady() {
	r.readyPending = false
	r.tm.Ready = r.stamp()
	r.write(r.status(FileReady), r.tm.Ready)
}

// markNotReady: the child will not become ready. ready.err is written only when
// final: this instance is the last one.
func (r *Runner) markNotReady(why string, final bool) {
	r.readyPending = false
	if why != "" {
		r.logf("not ready: %s", why)
	}
	if final {
		r.write(r.status(FileReady+ErrSuffix), r.stamp())
	}
}

// startReadiness launches the readiness check; its outcome arrives on the channel.
func (r *Runner) startReadiness(ctx context.Context, env []string) <-chan error {
	c := &r.Cfg
	ch := make(chan error, 1)
	r.readyPending = true
	switch c.Ready {
	case ReadyNone:
		ch <- nil
	case ReadyFile, ReadySelf:
		go func() {
			failed, err := r.Waiter.Wait(ctx, []string{c.ReadyTarget}, WaitOptions{})
			if err == nil && len(failed) > 0 {
				err = errors.New(c.ReadyTarget + ErrSuffix + " exists")
			}
			ch <- err
		}()
	default:
		p := r.Prober
		if p == nil {
			p = NewProber(c, r.Exec, env)
		}
		go func() { ch <- probeLoop(ctx, p, c.ReadyPeriod) }()
	}
	return ch
}

func probeLoop(ctx context.Context, p Prober, period time.Duration) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout(period))
		err := p.Probe(actx)
		cancel()
		if err == nil {
			return nil
		}
		t.Reset(period)
	}
}

// applyReady takes the readiness outcome; it reports whether -ready_timeout ran out.
func (r *Runner) applyReady(err error) (timedOut bool) {
	switch {
	case err == nil:
		r.markReady()
	case errors.Is(err, context.DeadlineExceeded):
		// As in native mode: the container is stopped and the kubelet restarts it.
		r.markNotReady("-ready_timeout "+r.Cfg.ReadyTimeout.String()+" spent, stopping the child", r.Cfg.Final(ExitReadyTimeout))
		return true
	default:
		r.markNotReady(err.Error(), r.Cfg.Final(ExitReadyTimeout))
	}
	return false
}

// applyLateReady takes a readiness result that raced with the child's exit.
func (r *Runner) applyLateReady(readyCh <-chan error) {
	if !r.readyPending || readyCh == nil {
		return
	}
	select {
	case err := <-readyCh:
		r.applyReady(err)
	default:
	}
}
