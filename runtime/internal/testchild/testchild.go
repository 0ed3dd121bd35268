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
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
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

func run(args []string) int {
	arg := func(i int) string {
		if i >= len(args) {
			die("missing argument after %q", args[i-1])
			os.Exit(98)
		}
		return args[i]
	}
	for i := 0; i < len(args); i++ {
		switch cmd := args[i]; cmd {
		case "exit": // exit N
			n, _ := strconv.Atoi(arg(i + 1))
			return n
		case "stamp": // stamp FILE: append "<unix nanos>" to FILE
			appendLine(arg(i+1), strconv.FormatInt(time.Now().UnixNano(), 10))
			i++
		case "sleep": // sleep DURATION
			d, _ := time.ParseDuration(arg(i + 1))
			time.Sleep(d)
			i++
		case "touch": // touch FILE: create FILE atomically with a timestamp
			p := arg(i + 1)
			os.WriteFile(p+".tmp", []byte(strconv.FormatInt(time.Now().UnixNano(), 10)), 0o644)
			os.Rename(p+".tmp", p)
			i++
		case "write": // write FILE TEXT
			os.WriteFile(arg(i+1), []byte(arg(i+2)), 0o644)
			i += 2
		case "waitfile": // waitfile FILE: poll until FILE exists
			for {
				if _, err := os.Stat(arg(i + 1)); err == nil {
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
			i++
		case "signals": // signals N: print "ready", then "sig <n>" per signal; exit N on SIGTERM
			n, _ := strconv.Atoi(arg(i + 1))
			ch := make(chan os.Signal, 16)
			signal.Notify(ch, echoed...)
			fmt.Println("ready")
			for s := range ch {
				fmt.Printf("sig %d\n", s.(syscall.Signal))
				if s == syscall.SIGTERM {
					return n
				}
			}
		case "onterm": // onterm FILE N: create FILE.armed, block until SIGTERM, append its time to FILE, exit N
			ch := make(chan os.Signal, 1)
			signal.Notify(ch, syscall.SIGTERM)
			os.WriteFile(arg(i+1)+".armed", nil, 0o644)
			<-ch
			appendLine(arg(i+1), strconv.FormatInt(time.Now().UnixNano(), 10))
			n, _ := strconv.Atoi(arg(i + 2))
			return n
		case "ignoreterm": // ignore SIGTERM from here on
			signal.Ignore(syscall.SIGTERM)
		case "killself": // killself N: send signal N to itself with its default action
			n, _ := strconv.Atoi(arg(i + 1))
			signal.Reset(syscall.Signal(n))
			syscall.Kill(os.Getpid(), syscall.Signal(n))
			time.Sleep(5 * time.Second)
			return die("signal %d did not kill", n)
		case "cat": // copy stdin to stdout
			io.Copy(os.Stdout, bufio.NewReader(os.Stdin))
		case "env": // env NAME: print NAME=value or NAME unset
			if v, ok := os.LookupEnv(arg(i + 1)); ok {
				fmt.Printf("%s=%s\n", arg(i+1), v)
			} else {
				fmt.Printf("%s unset\n", arg(i+1))
			}
			i++
		case "spawn": // spawn ARGS...: start this binary with ARGS in the background, rest of script ends
			c := exec.Command(os.Args[0], args[i+1:]...)
			c.Env = os.Environ()
			if err := c.Start(); err != nil {
				return die("%v", err)
			}
			return 0 // exit at once, orphaning the spawned process
		case "bg": // bg N ARGS(N)...: start this binary with the next N args, do not wait
			n, _ := strconv.Atoi(arg(i + 1))
			if i+2+n > len(args) {
				return die("bg: not enough arguments")
			}
			c := exec.Command(os.Args[0], args[i+2:i+2+n]...)
			if err := c.Start(); err != nil {
				return die("%v", err)
			}
			i += 1 + n
		case "ppid": // ppid FILE: write the parent's pid to FILE
			os.WriteFile(arg(i+1), []byte(strconv.Itoa(os.Getppid())), 0o644)
			i++
		case "readyself": // create $STARTORDER_READY_FILE
			p := os.Getenv("STARTORDER_READY_FILE")
			if p == "" {
				return die("STARTORDER_READY_FILE unset")
			}
			os.WriteFile(p, []byte("ok"), 0o644)
		case "zombies": // zombies: exit with the number of zombie children of our parent
			return countZombies(os.Getppid())
		case "fill": // fill FILE: append to FILE until the file system is full (ENOSPC)
			f, err := os.OpenFile(arg(i+1), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return die("%v", err)
			}
			buf := make([]byte, 4096)
			for {
				if _, err := f.Write(buf); err != nil {
					break
				}
			}
			f.Close()
			i++
		case "pgid": // print the process group and whether it equals the pid
			fmt.Printf("pgid=%d pid=%d\n", syscall.Getpgrp(), os.Getpid())
		default:
			return die("unknown command %q", cmd)
		}
	}
	return 0
}

func countZombies(ppid int) int {
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/status")
		if err != nil {
			continue
		}
		var state string
		var parent int
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "State:"); ok {
				state = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(l, "PPid:"); ok {
				parent, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if parent == ppid && strings.HasPrefix(state, "Z") {
			n++
		}
	}
	return n
}
