package entrypoint

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// ExitStatus is how a process ended.
type ExitStatus struct {
	Code   int            // exit code when Signal == 0
	Signal syscall.Signal // non-zero when killed by a signal
}

// WrapperCode is the exit code a shell would report: the code, or 128+signal.
func (s ExitStatus) WrapperCode() int {
	if s.Signal != 0 {
		return ExitSignalBase + int(s.Signal)
	}
	return s.Code
}

// ProcSpec describes a process to start.
type ProcSpec struct {
	Argv []string
	Env  []string
	// Stdio: inherit the wrapper's stdin, stdout and stderr (the main child). Otherwise
	// all three are /dev/null (readiness probes).
	Stdio bool
	// Stdout, Stderr replace the inherited descriptor when set (-stdout_path, -stderr_path).
	Stdout, Stderr *os.File
}

// Process is a started child, leader of its own process group.
type Process interface {
	Pid() int
	// Signal sends sig to the child's process group (to the child if the group is gone).
	Signal(sig syscall.Signal) error
	// Done delivers the exit status once.
	Done() <-chan ExitStatus
}

// Executor starts processes. Real: SysExecutor; tests use fakes.
type Executor interface {
	Start(spec ProcSpec) (Process, error)
}

// SysExecutor starts real processes and reaps them. It never uses os/exec's Wait:
// one loop calls Wait4 on every SIGCHLD and hands each status to the process that
// registered its pid. With ReapAll (the wrapper, PID 1 of its container) the loop
// calls Wait4(-1), which also reaps orphans re-parented to the wrapper.
type SysExecutor struct {
	ReapAll bool

	once  sync.Once
	mu    sync.Mutex // held across fork+register and across every reap pass
	procs map[int]*sysProc
	kick  chan struct{}
}

type sysProc struct {
	pid  int
	done chan ExitStatus
}

func (p *sysProc) Pid() int                { return p.pid }
func (p *sysProc) Done() <-chan ExitStatus { return p.done }
func (p *sysProc) Signal(sig syscall.Signal) error {
	err := syscall.Kill(-p.pid, sig)
	if err == syscall.ESRCH {
		err = syscall.Kill(p.pid, sig)
	}
	return err
}

// Start starts spec as the leader of a new process group.
func (e *SysExecutor) Start(spec ProcSpec) (Process, error) {
	e.init()
	if len(spec.Argv) == 0 {
		return nil, &StartError{Code: ExitNotFound, Path: "", Err: errors.New("empty command")}
	}
	path, err := lookPath(spec.Argv[0], spec.Env)
	if err != nil {
		return nil, err
	}
	sys := &syscall.SysProcAttr{Setpgid: true}
	files := []uintptr{0, 1, 2}
	if spec.Stdio {
		// On a terminal where the wrapper is in the foreground, hand the foreground to
		// the child's group so that it can read stdin and gets ^C/^Z from the tty.
		if foregroundTTY() {
			sys.Foreground, sys.Ctty = true, 0
		}
		if spec.Stdout != nil {
			files[1] = spec.Stdout.Fd()
		}
		if spec.Stderr != nil {
			files[2] = spec.Stderr.Fd()
		}
	} else {
		null, err := os.OpenFile("/dev/null", os.O_RDWR, 0)
		if err == nil {
			defer null.Close()
			fd := null.Fd()
			files = []uintptr{fd, fd, fd}
		}
	}
	attr := &syscall.ProcAttr{Env: spec.Env, Files: files, Sys: sys}

	e.mu.Lock()
	pid, err := syscall.ForkExec(path, spec.Argv, attr)
	if err != nil && sys.Foreground {
		sys.Foreground = false
		pid, err = syscall.ForkExec(path, spec.Argv, attr)
	}
	var p *sysProc
	if err == nil {
		p = &sysProc{pid: pid, done: make(chan ExitStatus, 1)}
		e.procs[pid] = p
	}
	e.mu.Unlock()
	if err != nil {
		return nil, startError(path, err)
	}
	select { // in case the SIGCHLD came before the registration was visible
	case e.kick <- struct{}{}:
	default:
	}
	return p, nil
}

func startError(path string, err error) error {
	code := ExitIO
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ENOENT, syscall.ENOTDIR:
			code = ExitNotFound
		case syscall.EACCES, syscall.EPERM, syscall.ENOEXEC, syscall.EISDIR, syscall.ETXTBSY, syscall.ELOOP:
			code = ExitNotExecutable
		}
	}
	return &StartError{Code: code, Path: path, Err: err}
}

// lookPath finds a command like a shell does, with PATH from the child's environment.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil // execve reports ENOENT/EACCES itself
	}
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			path = kv[len("PATH="):]
		}
	}
	var denied string
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		cand := dir + "/" + name
		fi, err := os.Stat(cand)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 != 0 && syscall.Access(cand, 1) == nil {
			return cand, nil
		}
		if denied == "" {
			denied = cand
		}
	}
	if denied != "" {
		return "", &StartError{Code: ExitNotExecutable, Path: denied, Err: syscall.EACCES}
	}
	return "", &StartError{Code: ExitNotFound, Path: name, Err: errors.New("command not found in PATH")}
}

// foregroundTTY reports whether stdin is a terminal whose foreground group is ours.
func foregroundTTY() bool {
	var pgrp int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, 0, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp)))
	return errno == 0 && int(pgrp) == syscall.Getpgrp()
}
