package entrypoint_test

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"startorder/runtime/internal/entrypoint"
	"startorder/runtime/internal/goldens"
)

// The contract between the CLI and the wrapper (docs/CONTRACT.md), checked on what
// the CLI really emits: every wrapper invocation in the golden outputs
// (fixtures/**/expected*.yaml|json) goes through the wrapper's own parser. A flag the
// CLI starts to emit and the wrapper does not know, a value it refuses, or a path
// outside the contract fails here.

const runDir = "/startorder/run"

// fixturesDir finds the repository's fixtures/ above the package.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(".")
	for {
		if _, err := os.Stat(filepath.Join(dir, "docs", "CONTRACT.md")); err == nil {
			return filepath.Join(dir, "fixtures")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no docs/CONTRACT.md above the package: the golden outputs are part of this test")
		}
		dir = parent
	}
}

func goldenInvocations(t *testing.T) []goldens.Invocation {
	t.Helper()
	var all []goldens.Invocation
	root := fixturesDir(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "expected") {
			return err
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".json" {
			return nil
		}
		invs, err := goldens.ReadFile(p)
		all = append(all, invs...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestGoldenInvocationsParse(t *testing.T) {
	invs := goldenInvocations(t)
	kinds := map[entrypoint.Command]int{}
	probes := 0
	byPod := map[string][]entrypoint.Config{}
	for _, inv := range invs {
		where := inv.File + ": " + inv.Path
		got, err := entrypoint.Parse(inv.Argv[1:])
		if err != nil {
			t.Errorf("%s: the wrapper refuses %q: %v", where, inv.Argv, err)
			continue
		}
		kinds[got.Cmd]++
		probes += len(got.Run.WaitProbes)
		switch inv.Argv[0] {
		case goldens.ImagePath:
			checkInit(t, where, got)
		case goldens.WrapperPath, goldens.MountedPath:
			if got.Cmd == entrypoint.CmdRun {
				checkRun(t, where, inv.Name, got.Run)
				byPod[pod(inv)] = append(byPod[pod(inv)], got.Run)
			} else if got.Cmd != entrypoint.CmdProbe {
				t.Errorf("%s: %q is neither a run nor a probe", where, inv.Argv)
			}
		}
	}
	for key, cfgs := range byPod {
		checkEdges(t, key, cfgs)
	}
	// Every shape the CLI emits is seen, so the test cannot pass on nothing.
	for _, k := range []entrypoint.Command{entrypoint.CmdRun, entrypoint.CmdInit, entrypoint.CmdProbe} {
		if kinds[k] == 0 {
			t.Errorf("no golden output has a wrapper invocation of kind %d (of %d invocations)", k, len(invs))
		}
	}
	if probes == 0 {
		t.Error("no golden output has a -wait_probe_* wait (a probe edge)")
	}
	t.Logf("%d wrapper invocations: %d run, %d init, %d probe", len(invs),
		kinds[entrypoint.CmdRun], kinds[entrypoint.CmdInit], kinds[entrypoint.CmdProbe])
}

// pod is the pod spec an invocation belongs to: its path up to the container list.
func pod(inv goldens.Invocation) string {
	p := inv.Path
	for _, list := range []string{".containers[", ".initContainers["} {
		if i := strings.LastIndex(p, list); i >= 0 {
			p = p[:i]
		}
	}
	return inv.File + ": " + p
}

// The init container copies the wrapper to where the app containers run it.
func checkInit(t *testing.T, where string, got entrypoint.Invocation) {
	t.Helper()
	if got.Cmd != entrypoint.CmdInit || got.InitDst != goldens.WrapperPath || (got.InitRunDir != "" && got.InitRunDir != runDir) {
		t.Errorf("%s: init copies to %q with -run_dir %q, want %s (and %s)", where, got.InitDst, got.InitRunDir, goldens.WrapperPath, runDir)
	}
}

// A wrapped container: its status directory is /startorder/run/<its name>, the CLI
// emits no Tekton-only flag, and the gate is the downward-API file with content.
func checkRun(t *testing.T, where, name string, c entrypoint.Config) {
	t.Helper()
	if want := runDir + "/" + name; name == "" || c.StatusDir != want {
		t.Errorf("%s: -status_dir %q, want %q", where, c.StatusDir, want)
	}
	if len(c.TektonIgnored) > 0 {
		t.Errorf("%s: the CLI emits Tekton-only flags %v", where, c.TektonIgnored)
	}
	for _, f := range c.WaitFiles {
		if f != "/startorder/downward/ready" || !c.WaitFileContent {
			t.Errorf("%s: -wait_file %q (content %v): only the gate, with -wait_file_content", where, f, c.WaitFileContent)
		}
	}
	if len(c.Argv) == 0 {
		t.Errorf("%s: no child", where)
	}
	// a probe edge names its dependency, another container: the log lines say who is waited for
	for _, p := range c.WaitProbes {
		if p.Name == "" || p.Name == name {
			t.Errorf("%s: -wait_probe_%s %q names no other container", where, p.Kind, p.Target)
		}
	}
}

// Every status file a wrapper waits for, holds for or exits with belongs to another
// wrapped container of the same pod.
func checkEdges(t *testing.T, where string, cfgs []entrypoint.Config) {
	t.Helper()
	dirs := map[string]bool{}
	for _, c := range cfgs {
		dirs[c.StatusDir] = true
	}
	for _, c := range cfgs {
		for _, list := range [][]string{c.WaitStatus, c.StopAfter, c.ExitWith} {
			for _, p := range list {
				if d := path.Dir(p); !dirs[d] || d == c.StatusDir {
					t.Errorf("%s: %s names %s, which is no other wrapped container's status directory", where, c.StatusDir, p)
				}
			}
		}
	}
}
