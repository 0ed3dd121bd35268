// Command mkimage writes a single-layer scratch image around one static binary (or a directory
// tree) as an OCI image layout, without Docker. It builds the startorder runtime image: one file,
// /startorder-entrypoint, run as user 65532:65532. The e2e cluster also uses it for its pause
// and workload images. The output is deterministic: the same inputs give the same bytes.
//
// One platform, from a binary, as an image-layout tarball:
//
//	mkimage -binary dist/startorder-entrypoint -arch amd64 \
//	        -name docker.io/startorder/entrypoint:dev -out entrypoint.tar
//	mkimage -binary ./workload -path /workload -skeleton -env PATH=/bin \
//	        -name localhost/startorder/workload:e2e -o workload.tar
//
// Several platforms, built from a Go package of the module in the current directory (see
// Build for the pinned go build settings), as a multi-arch image index; prints NAME@DIGEST:
//
//	mkimage -build ./cmd/startorder-entrypoint -arch amd64,arm64 \
//	        -name ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0 -layout DIR [-out FILE]
//
// One platform, from a directory tree (e.g. a Node runtime and an application); prints NAME@DIGEST:
//
//	mkimage -root DIR -entrypoint /usr/bin/node -entrypoint /app/bin/startorder.js \
//	        -name localhost/startorder/function:dev -out function.tar
//
// Flags: -binary FILE, -build PKG or -root DIR (one is required); -out FILE or -o FILE, and
// -layout DIR (a layout directory; not with -binary): at least one; -arch amd64|arm64 (default
// amd64; must match the binary), with -build a comma list (default amd64,arm64); -name REF;
// -path /IN/IMAGE (default /<basename of -binary or -build>); -user UID[:GID] (default
// 65532:65532); -env KEY=VALUE, -cmd ARG and -entrypoint ARG (repeatable, in order; Env and Cmd
// are left out of the config when not given; Entrypoint defaults to [path]); -skeleton (also
// add /tmp (1777) and minimal /etc/passwd and /etc/group naming -user).
//
// index.json names the image (the manifest, or with -build the image index) twice:
// org.opencontainers.image.ref.name (the tag, as the OCI image layout defines it) and
// io.containerd.image.name (the full reference, which `ctr images import` uses as the name).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	j, err := parseArgs(os.Args[1:], os.Stderr)
	if err != nil {
		if err != errFlags {
			fmt.Fprintln(os.Stderr, "mkimage:", err)
		}
		os.Exit(2)
	}
	if err := j.run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

var errFlags = errors.New("bad flags")

// job is one command line: what to build and where to write it.
type job struct {
	bin, build  string // -binary or -build
	root        string // or -root
	out, layout string
	arches      []string // with -build
	o           Options
}

// parseArgs reads the command line; usage goes to stderr.
func parseArgs(args []string, stderr io.Writer) (j job, err error) {
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&j.bin, "binary", "", "the static linux binary to package")
	fs.StringVar(&j.build, "build", "", "a Go main package to build for each -arch into a multi-arch image")
	fs.StringVar(&j.root, "root", "", "a directory whose tree is the layer (needs -entrypoint)")
	fs.Var((*stringList)(&j.o.Entrypoint), "entrypoint", "an argument of the image config Entrypoint (repeatable, in order; default [-path])")
	fs.StringVar(&j.o.Arch, "arch", "amd64", "image architecture: amd64 or arm64 (must match the binary); with -build a comma list (default amd64,arm64)")
	fs.StringVar(&j.o.Name, "name", "docker.io/startorder/entrypoint:dev", "image reference")
	fs.StringVar(&j.o.Path, "path", "", "absolute path of the binary in the image, and the Entrypoint (default /<basename of -binary or -build>)")
	fs.StringVar(&j.o.User, "user", defaultUser, "image config User: numeric uid or uid:gid")
	fs.Var((*stringList)(&j.o.Env), "env", "KEY=VALUE for the image config Env (repeatable, in order)")
	fs.Var((*stringList)(&j.o.Cmd), "cmd", "an argument of the image config Cmd (repeatable, in order)")
	fs.BoolVar(&j.o.Skeleton, "skeleton", false, "also add /tmp (mode 1777) and minimal /etc/passwd and /etc/group naming -user")
	fs.StringVar(&j.out, "out", "", "output tarball (OCI image layout)")
	fs.StringVar(&j.out, "o", "", "alias of -out")
	fs.StringVar(&j.layout, "layout", "", "output OCI image layout directory (with -build; replaced)")
	if err := fs.Parse(args); err != nil {
		return job{}, errFlags // the flag package has reported it, with the usage
	}
	archSet := false
	fs.Visit(func(f *flag.Flag) { archSet = archSet || f.Name == "arch" })
	switch {
	case countSet(j.bin, j.build, j.root) != 1:
		return job{}, errors.New("one of -binary, -build and -root is required")
	case j.out == "" && j.layout == "" || fs.NArg() != 0:
		return job{}, errors.New("-out (or -o) or -layout is required, and there are no arguments")
	case j.bin != "" && j.layout != "":
		return job{}, errors.New("-layout needs -build or -root")
	}
	src := j.bin
	if j.root != "" {
		return j, nil
	}
	if j.build != "" {
		src, j.arches = j.build, []string{"amd64", "arm64"}
		if archSet {
			j.arches = strings.Split(j.o.Arch, ",")
		}
		j.o.Arch = ""
	}
	if j.o.Path == "" {
		j.o.Path = "/" + filepath.Base(src)
	}
	return j, nil
}

func (j job) run(stdout io.Writer) error {
	if j.build != "" {
		return j.runBuild(stdout)
	}
	if j.root != "" {
		l, err := TreeImage(j.root, j.o)
		if err != nil {
			return err
		}
		return j.write(l, stdout)
	}
	binary, err := os.ReadFile(j.bin)
	if err != nil {
		return err
	}
	if err := checkELF(binary, j.o.Arch); err != nil {
		return errors.New(j.bin + " " + err.Error())
	}
	img, err := Image(binary, j.o)
	if err != nil {
		return err
	}
	return writeFile(j.out, img)
}

func (j job) runBuild(stdout io.Writer) error {
	binaries, err := Build{Package: j.build}.Binaries(j.arches)
	if err != nil {
		return err
	}
	l, err := Index(binaries, j.o)
	if err != nil {
		return err
	}
	return j.write(l, stdout)
}

// write writes the layout to -layout and -out, and prints NAME@DIGEST.
func (j job) write(l Layout, stdout io.Writer) error {
	if j.layout != "" {
		if err := l.WriteDir(j.layout); err != nil {
			return err
		}
	}
	if j.out != "" {
		img, err := l.Tar()
		if err != nil {
			return err
		}
		if err := writeFile(j.out, img); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(stdout, "%s@%s\n", j.o.Name, l.Root.Digest)
	return err
}

// checkELF tells whether binary is an ELF file for arch (by its e_machine).
func checkELF(binary []byte, arch string) error {
	if len(binary) < 4 || !bytes.Equal(binary[:4], []byte("\x7fELF")) {
		return errors.New("is not an ELF binary")
	}
	machine := map[string]uint16{"amd64": 62, "arm64": 183}[arch]
	if len(binary) > 20 && uint16(binary[18])|uint16(binary[19])<<8 != machine {
		return errors.New("is not a linux/" + arch + " binary")
	}
	return nil
}

// writeFile replaces name with data by renaming a sibling, so a reader never sees half a file.
func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func countSet(values ...string) (n int) {
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
