// Package tekton holds the differential suite: the same argv through Tekton's real
// entrypoint (built from the Go module proxy by tekton/build.sh) and through
// startorder-entrypoint, asserting the differences documented in runtime/README.md
// ("Differences from Tekton's entrypoint") and nothing else.
package tekton

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var wrapperBin, tektonBin string

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "startorder-tekton-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wrapperBin = filepath.Join(dir, "startorder-entrypoint")
	build := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", wrapperBin, "../cmd/startorder-entrypoint")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the wrapper: %v\n%s", err, out)
		os.Exit(1)
	}
	if p := os.Getenv("STARTORDER_TEST_WRAPPER"); p != "" {
		wrapperBin = p // another build, to see which differences it fails
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// step is one invocation: its argv ($W is the scratch directory) and whether it runs
// in the background (it waits for a later step).
type step struct {
	argv       []string
	background bool
}

// observation is what an implementation did, in the terms both share.
type observation struct {
	codes    []int    // exit code per step
	files    []string // regular files under $W (relative), Tekton's step metadata left out
	termKind []string // per step: "array" (Tekton's), "object" (ours), "none"
	posts    []string // content of every post file that exists: "empty" or "non-empty"
	logs     string   // the content of the files under logs/ (-stdout_path, -stderr_path)
	stdout   string
}

// tektonMetadata: files Tekton writes for the TaskRun into -step_metadata_dir (the
// working directory when it is not given): exitCode, results/, artifacts/.
func tektonMetadata(rel, metaDir string) bool {
	first, _, _ := strings.Cut(rel, "/")
	if rel == "exitCode" || first == "results" || first == "artifacts" {
		return true
	}
	return metaDir != "" && (rel == metaDir || strings.HasPrefix(rel, metaDir+"/"))
}

func observe(t *testing.T, bin string, steps []step, setup func(w string), metaDir string) (o observation) {
	t.Helper()
	w := t.TempDir()
	if setup != nil {
		setup(w)
	}
	o.codes, o.stdout = runSteps(t, bin, steps, w)
	o.files, o.logs = collectFiles(w, bin == tektonBin, metaDir)
	o.termKind, o.posts = stepOutputs(steps, w)
	return o
}

// runSteps runs the steps in w, a background step while the next ones run, and
// returns their exit codes and their stdout.
func runSteps(t *testing.T, bin string, steps []step, w string) (codes []int, stdout string) {
	t.Helper()
	cmds := make([]*exec.Cmd, len(steps))
	outs := make([]strings.Builder, len(steps))
	for i, s := range steps {
		argv := make([]string, len(s.argv))
		for j, a := range s.argv {
			argv[j] = strings.ReplaceAll(a, "$W", w)
		}
		c := exec.Command(bin, argv...)
		c.Dir, c.Env = w, append(os.Environ(), "HOME="+w)
		c.Stdout = &outs[i]
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = c
		if !s.background {
			waitCmd(t, c)
		} else {
			time.Sleep(100 * time.Millisecond) // let it start waiting
		}
	}
	for _, c := range cmds {
		waitCmd(t, c)
		codes = append(codes, c.ProcessState.ExitCode())
	}
	for i := len(outs) - 1; i >= 0; i-- {
		stdout += outs[i].String()
	}
	return codes, stdout
}

// collectFiles lists the regular files under w (Tekton's step metadata left out)
// and the content of those under logs/.
func collectFiles(w string, tektons bool, metaDir string) (files []string, logs string) {
	filepath.WalkDir(w, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(w, p)
		if tektons && tektonMetadata(rel, metaDir) {
			return nil
		}
		files = append(files, rel)
		if strings.HasPrefix(rel, "logs/") {
			b, _ := os.ReadFile(p)
			logs += rel + ":" + string(b) + ";"
		}
		return nil
	})
	slices.Sort(files)
	return files, logs
}

// stepOutputs reads, per step, the shape of its termination message and whether its
// post file is empty.
func stepOutputs(steps []step, w string) (termKind, posts []string) {
	read := func(p string) ([]byte, error) { return os.ReadFile(strings.ReplaceAll(p, "$W", w)) }
	for _, s := range steps {
		kind := "none"
		for j, a := range s.argv {
			if j+1 < len(s.argv) && a == "-termination_path" {
				b, err := read(s.argv[j+1])
				switch {
				case err != nil || len(b) == 0:
				case json.Unmarshal(b, &[]map[string]any{}) == nil:
					kind = "array"
				case json.Unmarshal(b, &map[string]any{}) == nil:
					kind = "object"
				default:
					kind = "invalid"
				}
			}
			if j+1 < len(s.argv) && a == "-post_file" {
				if b, err := read(s.argv[j+1]); err == nil {
					posts = append(posts, map[bool]string{true: "empty", false: "non-empty"}[len(b) == 0])
				}
			}
		}
		termKind = append(termKind, kind)
	}
	return termKind, posts
}

func waitCmd(t *testing.T, c *exec.Cmd) {
	t.Helper()
	if c.ProcessState != nil {
		return
	}
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.Process.Kill()
		<-done
		t.Fatalf("%v did not end", c.Args)
	}
}

// differences are the documented ones (runtime/README.md), per case: what Tekton
// does and what startorder-entrypoint does instead. Everything else must be equal.
type differences struct {
	tektonCodes, oursCodes []int    // nil: equal
	oursExtraFiles         []string // files only the wrapper writes (the .err of a usage error)
}

// term is the -termination_path of step n.
func term(n string) []string { return []string{"-termination_path", "$W/" + n + ".term"} }

func sh(script string) []string { return []string{"-entrypoint", "/bin/sh", "--", "-c", script} }

func args(a ...any) []string {
	var out []string
	for _, x := range a {
		switch v := x.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}
