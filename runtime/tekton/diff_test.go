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

// onCI: the suite must not be skipped there.
func onCI() bool { return os.Getenv("CI") != "" || os.Getenv("STARTORDER_CI") != "" }

// tekton returns Tekton's entrypoint: $STARTORDER_TEKTON_ENTRYPOINT, the cached build,
// or a fresh build by tekton/build.sh (a few minutes, needs the Go module proxy).
func tekton(t *testing.T) string {
	t.Helper()
	if tektonBin != "" {
		return tektonBin
	}
	if p := os.Getenv("STARTORDER_TEKTON_ENTRYPOINT"); p != "" {
		tektonBin = p
		return p
	}
	if testing.Short() && !onCI() {
		if _, err := os.Stat(cachedTekton()); err != nil {
			t.Skip("skipped with -short: Tekton's entrypoint is not cached and building it takes minutes (tekton/build.sh)")
		}
	}
	cmd := exec.Command("./build.sh")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		if onCI() {
			t.Fatalf("tekton/build.sh failed on CI: %v", err)
		}
		t.Skipf("skipped: Tekton's entrypoint cannot be built here (tekton/build.sh: %v); the differential suite needs it", err)
	}
	tektonBin = strings.TrimSpace(string(out))
	return tektonBin
}

// cachedTekton is where tekton/build.sh keeps the v1.0.0 binary.
func cachedTekton() string {
	dir := os.Getenv("STARTORDER_CACHE")
	if dir == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(base, "startorder")
	}
	return filepath.Join(dir, "tekton-v1.0.0", "entrypoint")
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
	cmds := make([]*exec.Cmd, len(steps))
	for i, s := range steps {
		argv := make([]string, len(s.argv))
		for j, a := range s.argv {
			argv[j] = strings.ReplaceAll(a, "$W", w)
		}
		c := exec.Command(bin, argv...)
		c.Dir, c.Env = w, append(os.Environ(), "HOME="+w)
		var out strings.Builder
		c.Stdout = &out
		defer func() { o.stdout += out.String() }()
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
		o.codes = append(o.codes, c.ProcessState.ExitCode())
	}
	filepath.WalkDir(w, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(w, p)
		if bin == tektonBin && tektonMetadata(rel, metaDir) {
			return nil
		}
		o.files = append(o.files, rel)
		if strings.HasPrefix(rel, "logs/") {
			b, _ := os.ReadFile(p)
			o.logs += rel + ":" + string(b) + ";"
		}
		return nil
	})
	slices.Sort(o.files)
	for _, s := range steps {
		kind := "none"
		for j, a := range s.argv {
			if j+1 < len(s.argv) && (a == "-termination_path") {
				b, err := os.ReadFile(strings.ReplaceAll(s.argv[j+1], "$W", w))
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
				if b, err := os.ReadFile(strings.ReplaceAll(s.argv[j+1], "$W", w)); err == nil {
					o.posts = append(o.posts, map[bool]string{true: "empty", false: "non-empty"}[len(b) == 0])
				}
			}
		}
		o.termKind = append(o.termKind, kind)
	}
	return o
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

func TestSameArgvBothEntrypoints(t *testing.T) {
	tk := tekton(t)
	term := func(n string) []string { return []string{"-termination_path", "$W/" + n + ".term"} }
	cases := []struct {
		name    string
		steps   []step
		setup   func(w string)
		metaDir string
		diff    differences
	}{
		{name: "the seed article's chain: wait_file and post_file",
			steps: []step{
				{argv: args("-wait_file", "$W/0", "-post_file", "$W/1", term("s1"), sh(`test -e 0 && test -e done0 && echo >ran1`)), background: true},
				{argv: args("-post_file", "$W/0", term("s0"), sh(`echo 0 >done0`))},
			}},
		{name: "a failing step writes .err and the next step does not run",
			steps: []step{
				{argv: args("-wait_file", "$W/0", "-post_file", "$W/1", term("s1"), sh(`echo >ran1`)), background: true},
				{argv: args("-post_file", "$W/0", term("s0"), sh(`exit 3`))},
			},
			// Tekton's skipped step exits 1; the wrapper's 3 says "a dependency failed".
			diff: differences{tektonCodes: []int{1, 3}, oursCodes: []int{3, 3}}},
		{name: "wait_file_content waits for content",
			setup: func(w string) {
				os.WriteFile(w+"/gate", nil, 0o644)
				go func() { time.Sleep(300 * time.Millisecond); os.WriteFile(w+"/gate", []byte("go"), 0o644) }()
			},
			steps: []step{{argv: args("-wait_file", "$W/gate", "-wait_file_content", "-post_file", "$W/p", term("s"), sh(`cat gate >seen`))}}},
		{name: "an argv Tekton generated since v0.27: -step_metadata_dir and friends",
			steps: []step{{argv: args("-post_file", "$W/tekton/run/0/out", term("s"), "-step_metadata_dir", "$W/tekton/run/0/status",
				"-results", "a,b", "-result_from", "termination-message", "-on_error", "stopAndFail", sh(`echo >ran`))}},
			// (Not -enable_spire: Tekton then signs the results through a SPIRE agent and fails
			// after 20 s without one. The wrapper ignores it like the others.)
			metaDir: "tekton/run/0/status"},
		{name: "the post file's missing directory is created",
			steps: []step{{argv: args("-post_file", "$W/a/b/post", term("s"), sh(`true`))}}},
		{name: "-stdout_path and -stderr_path",
			steps: []step{{argv: args("-post_file", "$W/p", "-stdout_path", "$W/logs/out", "-stderr_path", "$W/logs/new/err", term("s"),
				sh(`echo to-stdout; echo to-stderr >&2`))}}},
		{name: "on_error continue",
			steps: []step{{argv: args("-post_file", "$W/p", "-on_error", "continue", term("s"), sh(`exit 5`))}}},
		{name: "exit codes pass through",
			steps: []step{{argv: args("-post_file", "$W/p", term("s"), sh(`exit 42`))}}},
		{name: "a usage error",
			steps: []step{{argv: args("-post_file", "$W/p", "-bogus", term("s"), sh(`echo >ran`))}},
			// Both exit 2; the wrapper also writes p.err (and its termination message),
			// so the next step fails at once instead of waiting forever.
			diff: differences{oursExtraFiles: []string{"p.err", "s.term"}}},
		{name: "a bad -timeout value",
			steps: []step{{argv: args("-post_file", "$W/p", "-timeout", "soon", term("s"), sh(`echo >ran`))}},
			diff:  differences{oursExtraFiles: []string{"p.err", "s.term"}}},
		{name: "command not found",
			steps: []step{{argv: args("-post_file", "$W/p", term("s"), "-entrypoint", "/nonexistent/cmd", "--")}},
			diff:  differences{tektonCodes: []int{1}, oursCodes: []int{127}}},
		{name: "a signalled child",
			steps: []step{{argv: args("-post_file", "$W/p", term("s"), sh(`kill -TERM $$`))}},
			diff:  differences{tektonCodes: []int{255}, oursCodes: []int{143}}},
		{name: "-timeout",
			steps: []step{{argv: args("-post_file", "$W/p", "-timeout", "200ms", term("s"), "-entrypoint", "/bin/sleep", "--", "5")}},
			diff:  differences{tektonCodes: []int{1}, oursCodes: []int{124}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			theirs := observe(t, tk, tc.steps, tc.setup, tc.metaDir)
			ours := observe(t, wrapperBin, tc.steps, tc.setup, tc.metaDir)
			wantTheirs, wantOurs := tc.diff.tektonCodes, tc.diff.oursCodes
			if wantTheirs == nil {
				if !slices.Equal(theirs.codes, ours.codes) {
					t.Errorf("exit codes: Tekton %v, ours %v", theirs.codes, ours.codes)
				}
			} else if !slices.Equal(theirs.codes, wantTheirs) || !slices.Equal(ours.codes, wantOurs) {
				t.Errorf("exit codes: Tekton %v (want %v), ours %v (want %v)", theirs.codes, wantTheirs, ours.codes, wantOurs)
			}
			wantFiles := append(append([]string(nil), theirs.files...), tc.diff.oursExtraFiles...)
			slices.Sort(wantFiles)
			if !slices.Equal(wantFiles, ours.files) {
				t.Errorf("files: Tekton %v (+ documented %v), ours %v", theirs.files, tc.diff.oursExtraFiles, ours.files)
			}
			// Documented: Tekton's termination message is a JSON array of key/value
			// results, ours one JSON object; Tekton's post file is empty, ours holds a
			// timestamp. Either is written in exactly the same cases.
			for i := range theirs.termKind {
				tk, o := theirs.termKind[i], ours.termKind[i]
				if (tk == "none") != (o == "none") && !slices.Contains(tc.diff.oursExtraFiles, "s.term") {
					t.Errorf("termination message of step %d: Tekton %s, ours %s", i, tk, o)
				}
				if tk != "none" && tk != "array" || o != "none" && o != "object" {
					t.Errorf("termination message shapes: Tekton %s, ours %s", tk, o)
				}
			}
			if theirs.logs != ours.logs || theirs.stdout != ours.stdout {
				t.Errorf("output: Tekton %q %q, ours %q %q", theirs.logs, theirs.stdout, ours.logs, ours.stdout)
			}
			if len(theirs.posts) != len(ours.posts) {
				t.Fatalf("post files: Tekton %v, ours %v", theirs.posts, ours.posts)
			}
			for i := range theirs.posts {
				if theirs.posts[i] != "empty" || ours.posts[i] != "non-empty" {
					t.Errorf("post file content: Tekton %s, ours %s", theirs.posts[i], ours.posts[i])
				}
			}
		})
	}
}

// Stdin: Tekton runs the step with stdin on /dev/null; the wrapper passes its own.
func TestStdinDifference(t *testing.T) {
	tk := tekton(t)
	for _, bin := range []string{tk, wrapperBin} {
		w := t.TempDir()
		c := exec.Command(bin, "-termination_path", w+"/t", "-entrypoint", "/bin/cat", "--")
		c.Dir, c.Env = w, append(os.Environ(), "HOME="+w)
		c.Stdin = strings.NewReader("hello")
		out, _ := c.Output()
		want := map[bool]string{true: "", false: "hello"}[bin == tk]
		if string(out) != want {
			t.Errorf("%s: stdout %q, want %q", filepath.Base(bin), out, want)
		}
	}
}

// -timeout grace: Tekton kills the child at once (SIGKILL); the wrapper sends SIGTERM
// and SIGKILL only after -stop_grace, so the child can clean up.
func TestTimeoutGraceDifference(t *testing.T) {
	tk := tekton(t)
	for _, bin := range []string{tk, wrapperBin} {
		w := t.TempDir()
		c := exec.Command(bin, "-termination_path", w+"/t", "-timeout", "300ms", "-entrypoint", "/bin/sh", "--", "-c",
			`trap 'echo >got-term; exit 7' TERM; sleep 10 & wait`)
		c.Dir, c.Env = w, append(os.Environ(), "HOME="+w)
		c.Run()
		_, err := os.Stat(w + "/got-term")
		if got, want := err == nil, bin == wrapperBin; got != want {
			t.Errorf("%s: child saw SIGTERM = %v, want %v", filepath.Base(bin), got, want)
		}
	}
}
