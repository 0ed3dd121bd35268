package tekton

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tekton's real entrypoint for the suite: built by build.sh into the cache when missing.

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
