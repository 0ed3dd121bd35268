package main

import (
	"os/exec"
	"strings"
	"testing"
)

// On a terminal (kubectl run -it, or a container with tty: true) the child must own the terminal's
// foreground process group, so that it reads stdin and gets ^C from the tty. script(1) gives the
// wrapper a real pseudo-terminal; the child compares its process group with the terminal's
// foreground group (fields 5 and 8 of /proc/self/stat).
func TestChildGetsTheTerminalForeground(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) from util-linux is not installed: no pseudo-terminal to test with")
	}
	probe := `set -- $(cat /proc/$$/stat); if [ "$5" = "$8" ]; then echo FOREGROUND; else echo BACKGROUND pgrp=$5 tpgid=$8; fi`
	line := wrapperBin + ` -entrypoint /bin/sh -- -c '` + probe + `'`
	out, err := exec.Command(scriptBin, "-qec", line, "/dev/null").CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "FOREGROUND") {
		t.Fatalf("the child is not in the terminal's foreground group: %q", out)
	}
}

// Without a terminal nothing changes: the child runs in its own process group, as always.
func TestNoTerminalNoForeground(t *testing.T) {
	probe := `set -- $(cat /proc/$$/stat); echo pgrp=$5 pid=$1`
	out, err := exec.Command(wrapperBin, "-entrypoint", "/bin/sh", "--", "-c", probe).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var pgrp, pid string
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "pgrp="); ok {
			pgrp = v
		}
		if v, ok := strings.CutPrefix(f, "pid="); ok {
			pid = v
		}
	}
	if pgrp == "" || pgrp != pid {
		t.Fatalf("the child should lead its own process group: %q", out)
	}
}
