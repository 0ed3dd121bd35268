package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCtrImport imports real images into containerd and runs them: the single-platform
// tarball and the multi-arch index of -build. It needs a containerd socket:
// STARTORDER_TEST_CTR_ADDRESS=/run/containerd/containerd.sock go test ./cmd/mkimage
func TestCtrImport(t *testing.T) {
	addr := os.Getenv("STARTORDER_TEST_CTR_ADDRESS")
	if addr == "" {
		t.Skip("set STARTORDER_TEST_CTR_ADDRESS to a containerd socket (npm run test:e2e runs it against its cluster's containerd)")
	}
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		t.Skip("unsupported architecture")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "startorder-entrypoint")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "../startorder-entrypoint")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	single := filepath.Join(dir, "image.tar")
	if err := run(bin, Options{Arch: runtime.GOARCH, Name: "docker.io/startorder/entrypoint:ctr-test"}, single); err != nil {
		t.Fatal(err)
	}
	j := job{build: "../startorder-entrypoint", out: filepath.Join(dir, "index.tar"), arches: []string{"amd64", "arm64"},
		o: Options{Name: "docker.io/startorder/entrypoint:ctr-test-index", Path: "/startorder-entrypoint"}}
	if err := j.run(io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Run("single", func(t *testing.T) { ctrImportRun(t, addr, single, "docker.io/startorder/entrypoint:ctr-test") })
	t.Run("index", func(t *testing.T) { ctrImportRun(t, addr, j.out, j.o.Name) })
}

// ctrImportRun imports tarball, checks it is listed under name and runs it.
func ctrImportRun(t *testing.T, addr, tarball, name string) {
	ctr := func(args ...string) string {
		out, err := exec.Command("ctr", append([]string{"--address", addr, "-n", "startorder-test"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ctr %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	ctr("images", "import", tarball)
	defer ctr("images", "rm", name)
	if ls := ctr("images", "ls", "-q"); !strings.Contains(ls, name) {
		t.Fatalf("image not listed under its name:\n%s", ls)
	}
	// Run it: scratch, read-only root, uid 65532; the wrapper runs itself as the child.
	out := ctr("run", "--rm", "--read-only", name, "startorder-ctr-test",
		"/startorder-entrypoint", "-entrypoint", "/startorder-entrypoint", "--", "probe", "file", "/startorder-entrypoint")
	if strings.TrimSpace(out) != "" {
		t.Errorf("unexpected output %q", out)
	}
}
