package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// copyModule copies what the wrapper is built from (go.mod and the Go files of
// cmd/startorder-entrypoint and internal/) from the module root to dst.
func copyModule(t *testing.T, root, dst string) {
	t.Helper()
	copyFile := func(rel string) {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("go.mod")
	for _, dir := range []string{"cmd/startorder-entrypoint", "internal"} {
		err := filepath.Walk(filepath.Join(root, dir), func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(root, p)
				copyFile(rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestRuntimeImageReproducible builds the runtime image index twice from the wrapper's
// sources and compares the bytes: once through the command line, in this module (a git
// checkout: a VCS stamp would show), with the usual build cache; once from a copy of the
// sources under another directory (a path in the binary would show) with an empty build
// cache (so nothing is reused from the first build). The binaries, the layout directory, the
// tarball and the image index digest must all be equal, and the layout valid OCI.
func TestRuntimeImageReproducible(t *testing.T) {
	if _, err := exec.LookPath(goCommand()); err != nil {
		t.Fatalf("go is needed to build the wrapper: %v", err)
	}
	const name = "ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0"
	first := t.TempDir()
	j, err := parseArgs([]string{"-build", "../startorder-entrypoint", "-name", name,
		"-layout", filepath.Join(first, "layout"), "-out", filepath.Join(first, "image.tar")}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var printed bytes.Buffer
	if err := j.run(&printed); err != nil {
		t.Fatal(err)
	}

	second := t.TempDir()
	src := filepath.Join(second, "elsewhere", "src")
	copyModule(t, "../..", src)
	b := Build{Go: goCommand(), Dir: src, Package: "./cmd/startorder-entrypoint", Env: []string{"GOCACHE=" + filepath.Join(second, "gocache")}, Work: second}
	binaries, err := b.Binaries([]string{"arm64", "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := Index(binaries, Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	tarball, _ := l.Tar()

	if want := name + "@" + l.Root.Digest + "\n"; printed.String() != want {
		t.Errorf("the two builds differ: printed %q, the second gives %q", printed.String(), want)
	}
	firstTar, err := os.ReadFile(filepath.Join(first, "image.tar"))
	if err != nil || !bytes.Equal(firstTar, tarball) {
		t.Errorf("the tarballs differ (%v)", err)
	}
	files := readDir(t, filepath.Join(first, "layout"))
	root, img := checkLayout(t, files)
	if root.Digest != l.Root.Digest {
		t.Errorf("layout directory names %s", root.Digest)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if len(img.layers[arch]) != 1 || img.layers[arch][0] != "startorder-entrypoint 555" {
			t.Errorf("%s layer %v", arch, img.layers[arch])
		}
		if checkELF(binaries[arch], arch) != nil {
			t.Errorf("%s binary is not a linux/%s ELF file", arch, arch)
		}
	}
	t.Logf("%s@%s", name, l.Root.Digest)
}
