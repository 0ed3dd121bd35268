package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build compiles one Go main package for several architectures, the way the runtime image's
// binaries are made: static (no cgo), no file system paths (-trimpath), no VCS stamp, no
// build ID, symbol tables stripped, and every GOARCH sub-setting pinned to its default, so
// the same sources and the same Go release give the same bytes on any machine, whatever the
// caller's environment says.
type Build struct {
	Go      string   // the go command (default $GO, else go)
	Dir     string   // the module directory to build in (default: the current one)
	Package string   // e.g. ./cmd/startorder-entrypoint
	Env     []string // extra environment, e.g. GOCACHE=...; the pinned settings win
	Work    string   // where the binaries are written (default: a temporary directory, removed)
}

// buildFlags are the go build flags of every image binary.
var buildFlags = []string{"-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="}

// pinnedEnv fixes everything of the environment that changes the code go build emits.
func pinnedEnv(arch string) []string {
	return []string{
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch,
		"GOAMD64=v1", "GOARM64=v8.0", "GOEXPERIMENT=", "GOFLAGS=",
	}
}

// Binaries builds b.Package for each of arches and returns the binaries by architecture.
func (b Build) Binaries(arches []string) (map[string][]byte, error) {
	work := b.Work
	if work == "" {
		tmp, err := os.MkdirTemp("", "mkimage-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	}
	goCmd := b.Go
	if goCmd == "" {
		goCmd = goCommand()
	}
	out := map[string][]byte{}
	for _, arch := range arches {
		if arch != "amd64" && arch != "arm64" {
			return nil, fmt.Errorf("-arch: %q is not amd64 or arm64", arch)
		}
		file := filepath.Join(work, filepath.Base(b.Package)+"-"+arch)
		args := append(append([]string{"build"}, buildFlags...), "-o", file, b.Package)
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = b.Dir
		cmd.Env = append(append(os.Environ(), b.Env...), pinnedEnv(arch)...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s for %s: %v\n%s", b.Package, arch, err, msg)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if err := checkELF(data, arch); err != nil {
			return nil, fmt.Errorf("%s %v", file, err)
		}
		out[arch] = data
	}
	return out, nil
}

// goCommand is the go command mkimage -build runs: $GO, else go.
func goCommand() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
