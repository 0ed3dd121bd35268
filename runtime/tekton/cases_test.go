package tekton

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The cases of the differential suite: the same argv through both entrypoints, and the documented differences.

type diffCase struct {
	name    string
	steps   []step
	setup   func(w string)
	metaDir string
	diff    differences
}

// diffCasesWaiting: waiting, the post files and Tekton's own argv.
func diffCasesWaiting() []diffCase {
	return []diffCase{
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
	}
}

// diffCasesOutcomes: outputs, exit codes and failures, with the documented differences.
func diffCasesOutcomes() []diffCase {
	return []diffCase{
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
}

func TestSameArgvBothEntrypoints(t *testing.T) {
	tk := tekton(t)
	cases := slices.Concat(diffCasesWaiting(), diffCasesOutcomes())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			theirs := observe(t, tk, tc.steps, tc.setup, tc.metaDir)
			ours := observe(t, wrapperBin, tc.steps, tc.setup, tc.metaDir)
			compareCodes(t, tc.diff, theirs, ours)
			compareFiles(t, tc.diff, theirs, ours)
			compareOutputs(t, tc.diff, theirs, ours)
		})
	}
}

// compareCodes: the exit codes are equal, or differ exactly as documented.
func compareCodes(t *testing.T, d differences, theirs, ours observation) {
	t.Helper()
	wantTheirs, wantOurs := d.tektonCodes, d.oursCodes
	if wantTheirs == nil {
		if !slices.Equal(theirs.codes, ours.codes) {
			t.Errorf("exit codes: Tekton %v, ours %v", theirs.codes, ours.codes)
		}
	} else if !slices.Equal(theirs.codes, wantTheirs) || !slices.Equal(ours.codes, wantOurs) {
		t.Errorf("exit codes: Tekton %v (want %v), ours %v (want %v)", theirs.codes, wantTheirs, ours.codes, wantOurs)
	}
}

// compareFiles: the same files, plus the documented extra ones of the wrapper.
func compareFiles(t *testing.T, d differences, theirs, ours observation) {
	t.Helper()
	wantFiles := append(append([]string(nil), theirs.files...), d.oursExtraFiles...)
	slices.Sort(wantFiles)
	if !slices.Equal(wantFiles, ours.files) {
		t.Errorf("files: Tekton %v (+ documented %v), ours %v", theirs.files, d.oursExtraFiles, ours.files)
	}
}

// compareOutputs: the termination messages, stdout, the -stdout_path/-stderr_path
// files and the post files.
func compareOutputs(t *testing.T, d differences, theirs, ours observation) {
	t.Helper()
	// Documented: Tekton's termination message is a JSON array of key/value results,
	// ours one JSON object; Tekton's post file is empty, ours holds a timestamp.
	// Either is written in exactly the same cases.
	for i := range theirs.termKind {
		tk, o := theirs.termKind[i], ours.termKind[i]
		if (tk == "none") != (o == "none") && !slices.Contains(d.oursExtraFiles, "s.term") {
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
