package main

// Real-process tests: the built wrapper binary against real files and real signals. The
// child is this test binary, re-invoked as a scripted helper (internal/testchild).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"startorder/runtime/internal/testchild"
)

var (
	wrapperBin string // the wrapper built for these tests
	childBin   string // this test binary, used as the child
	binDir     string
)

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func TestMain(m *testing.M) {
	testchild.Main()
	var err error
	binDir, err = os.MkdirTemp("", "startorder-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(binDir, 0o755) // other UIDs run the binaries too
	wrapperBin = filepath.Join(binDir, "startorder-entrypoint")
	build := exec.Command(goTool(), "build", "-trimpath", "-o", wrapperBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the wrapper: %v\n%s", err, out)
		os.Exit(1)
	}
	if p := os.Getenv("STARTORDER_TEST_WRAPPER"); p != "" {
		// Another build (say, an earlier commit's): shows which tests it fails.
		wrapperBin = p
	}
	// A copy of the test binary that other UIDs can execute.
	self, _ := os.Executable()
	childBin = filepath.Join(binDir, "child")
	if b, err := os.ReadFile(self); err == nil {
		os.WriteFile(childBin, b, 0o755)
	} else {
		childBin = self
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

func TestBinarySizeAndDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds for two architectures")
	}
	const limit = 2_500_000
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(t.TempDir(), "e-"+arch)
		cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", arch, err, b)
		}
		fi, _ := os.Stat(out)
		t.Logf("linux/%s: %d bytes", arch, fi.Size())
		if arch == "amd64" && fi.Size() > limit {
			t.Errorf("linux/amd64 binary is %d bytes, over the %d limit", fi.Size(), limit)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list := exec.CommandContext(ctx, goTool(), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "startorder/runtime/...")
	b, err := list.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(b)) {
		if !strings.HasPrefix(p, "startorder/runtime") {
			t.Errorf("non-standard dependency %s", p)
		}
	}
}
