// Package testchild turns a test binary into a scriptable child process for the
// real-process tests: TestMain calls Main, which takes over when STARTORDER_TEST_CHILD
// is set and runs its arguments as a small script, for example
//
//	stamp /tmp/x/start sleep 50ms touch /tmp/x/done exit 3
package testchild

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Env is the variable that makes a test binary act as a child.
const Env = "STARTORDER_TEST_CHILD"

// Main runs the script in os.Args[1:] and exits, when Env is set; otherwise it returns.
func Main() {
	if os.Getenv(Env) == "" {
		return
	}
	os.Exit(run(os.Args[1:]))
}

func die(format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "testchild: "+format+"\n", a...)
	return 99
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		die("%v", err)
		return
	}
	fmt.Fprintln(f, line)
	f.Close()
}

// echoed are the signals that "signals" reports.
var echoed = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2,
	syscall.SIGALRM, syscall.SIGTERM, syscall.SIGWINCH, syscall.SIGCONT, syscall.SIGPIPE}

// command runs one step of the script. a holds the step's arguments and everything
// after them; it returns how many arguments the step used, and end (with the exit
// code) when the script stops there.
type command func(a []string) (used int, code int, end bool)

var commands = map[string]command{
	"exit": func(a []string) (int, int, bool) { return 1, atoi(need(a, 0)), true }, // exit N
	"stamp": func(a []string) (int, int, bool) { // stamp FILE: append "<unix nanos>" to FILE
		appendLine(need(a, 0), nanos())
		return 1, 0, false
	},
	"sleep": func(a []string) (int, int, bool) { // sleep DURATION
		d, _ := time.ParseDuration(need(a, 0))
		time.Sleep(d)
		return 1, 0, false
	},
	"touch": func(a []string) (int, int, bool) { // touch FILE: create FILE atomically with a timestamp
		p := need(a, 0)
		os.WriteFile(p+".tmp", []byte(nanos()), 0o644)
		os.Rename(p+".tmp", p)
		return 1, 0, false
	},
	"write": func(a []string) (int, int, bool) { // write FILE TEXT
		os.WriteFile(need(a, 0), []byte(need(a, 1)), 0o644)
		return 2, 0, false
	},
	"waitfile": func(a []string) (int, int, bool) { // waitfile FILE: poll until FILE exists
		for {
			if _, err := os.Stat(need(a, 0)); err == nil {
				return 1, 0, false
			}
			time.Sleep(2 * time.Millisecond)
		}
	},
	"signals":    echoSignals,
	"onterm":     onTerm,
	"ignoreterm": func([]string) (int, int, bool) { signal.Ignore(syscall.SIGTERM); return 0, 0, false }, // ignore SIGTERM from here on
	"killself":   killSelf,
	"cat": func([]string) (int, int, bool) { // copy stdin to stdout
		io.Copy(os.Stdout, bufio.NewReader(os.Stdin))
		return 0, 0, false
	},
	"env": func(a []string) (int, int, bool) { // env NAME: print NAME=value or NAME unset
		if v, ok := os.LookupEnv(need(a, 0)); ok {
			fmt.Printf("%s=%s\n", a[0], v)
		} else {
			fmt.Printf("%s unset\n", a[0])
		}
		return 1, 0, false
	},
	"spawn": spawn,
	"bg":    background,
	"ppid": func(a []string) (int, int, bool) { // ppid FILE: write the parent's pid to FILE
		os.WriteFile(need(a, 0), []byte(strconv.Itoa(os.Getppid())), 0o644)
		return 1, 0, false
	},
	"readyself": func([]string) (int, int, bool) { // create $STARTORDER_READY_FILE
		p := os.Getenv("STARTORDER_READY_FILE")
		if p == "" {
			return 0, die("STARTORDER_READY_FILE unset"), true
		}
		os.WriteFile(p, []byte("ok"), 0o644)
		return 0, 0, false
	},
	"zombies": func([]string) (int, int, bool) { return 0, countZombies(os.Getppid()), true }, // exit with the number of our parent's zombie children
	"fill":    fill,
	"pgid": func([]string) (int, int, bool) { // print the process group and whether it equals the pid
		fmt.Printf("pgid=%d pid=%d\n", syscall.Getpgrp(), os.Getpid())
		return 0, 0, false
	},
}

func run(args []string) int {
	for i := 0; i < len(args); i++ {
		cmd, ok := commands[args[i]]
		if !ok {
			return die("unknown command %q", args[i])
		}
		used, code, end := cmd(args[i+1:])
		if end {
			return code
		}
		i += used
	}
	return 0
}

// need returns a[k], or ends the child when the script lacks it.
func need(a []string, k int) string {
	if k >= len(a) {
		die("missing argument %d of a command", k+1)
		os.Exit(98)
	}
	return a[k]
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func nanos() string { return strconv.FormatInt(time.Now().UnixNano(), 10) }

// echoSignals: signals N: print "ready", then "sig <n>" per signal; exit N on SIGTERM.
func echoSignals(a []string) (int, int, bool) {
	n := atoi(need(a, 0))
	ch := make(chan os.Signal, 16)
	signal.Notify(ch, echoed...)
	fmt.Println("ready")
	for s := range ch {
		fmt.Printf("sig %d\n", s.(syscall.Signal))
		if s == syscall.SIGTERM {
			break
		}
	}
	return 1, n, true
}

// onTerm: onterm FILE N: create FILE.armed, block until SIGTERM, append its time to
// FILE, exit N.
func onTerm(a []string) (int, int, bool) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM)
	os.WriteFile(need(a, 0)+".armed", nil, 0o644)
	<-ch
	appendLine(a[0], nanos())
	return 2, atoi(need(a, 1)), true
}

// killSelf: killself N: send signal N to itself with its default action.
func killSelf(a []string) (int, int, bool) {
	n := atoi(need(a, 0))
	signal.Reset(syscall.Signal(n))
	syscall.Kill(os.Getpid(), syscall.Signal(n))
	time.Sleep(5 * time.Second)
	return 1, die("signal %d did not kill", n), true
}

// fill: fill FILE: append to FILE until the file system is full (ENOSPC).
func fill(a []string) (int, int, bool) {
	f, err := os.OpenFile(need(a, 0), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 1, die("%v", err), true
	}
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	return 1, 0, false
}
