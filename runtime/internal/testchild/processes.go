package testchild

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// The commands that start or count processes.

// spawn: spawn ARGS...: start this binary with ARGS in the background and exit at
// once, orphaning it; the rest of the script is its.
func spawn(a []string) (int, int, bool) {
	c := exec.Command(os.Args[0], a...)
	c.Env = os.Environ()
	if err := c.Start(); err != nil {
		return 0, die("%v", err), true
	}
	return len(a), 0, true
}

// background: bg N ARGS(N)...: start this binary with the next N args, do not wait.
func background(a []string) (int, int, bool) {
	n := atoi(need(a, 0))
	if 1+n > len(a) {
		return 0, die("bg: not enough arguments"), true
	}
	c := exec.Command(os.Args[0], a[1:1+n]...)
	if err := c.Start(); err != nil {
		return 0, die("%v", err), true
	}
	return 1 + n, 0, false
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
