// Command mkimage writes a single-layer scratch image around one static binary as an OCI
// image-layout tarball, without Docker. It builds the startorder runtime image: one file,
// /startorder-entrypoint, run as user 65532:65532. The e2e cluster also uses it for its pause
// and workload images. The output is deterministic: the same inputs give the same bytes.
//
//	mkimage -binary dist/startorder-entrypoint -arch amd64 \
//	        -name docker.io/startorder/entrypoint:dev -out entrypoint.tar
//	mkimage -binary ./workload -path /workload -skeleton -env PATH=/bin \
//	        -name localhost/startorder/workload:e2e -o workload.tar
//
// Flags: -binary FILE (required); -out FILE or -o FILE (required); -arch amd64|arm64
// (default amd64; must match the binary); -name REF; -path /IN/IMAGE (default
// /<basename of -binary>; the Entrypoint is [path]); -user UID[:GID] (default 65532:65532);
// -env KEY=VALUE and -cmd ARG (repeatable, in order; left out of the config when not given);
// -skeleton (also add /tmp (1777) and minimal /etc/passwd and /etc/group naming -user).
//
// index.json names the image twice: org.opencontainers.image.ref.name (the tag, as the
// OCI image layout defines it) and io.containerd.image.name (the full reference, which
// `ctr images import` uses as the image name).
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	binaryPath    = "startorder-entrypoint" // the default -path, without its leading slash
	defaultUser   = "65532:65532"
)

// epoch is the fixed timestamp of every file and of the image config.
var epoch = time.Unix(0, 0).UTC()

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type blob struct {
	data []byte
	desc descriptor
}

func newBlob(media string, data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{data, descriptor{MediaType: media, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(data))}}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Options describes the image around the binary. Image reads an empty Path as
// /startorder-entrypoint and an empty User as 65532:65532. With Env, Cmd and Skeleton left
// empty the image is exactly the runtime image: one file, no Env, no Cmd.
type Options struct {
	Arch     string   // amd64 or arm64
	Name     string   // image reference, e.g. docker.io/startorder/entrypoint:dev
	Path     string   // absolute path of the binary in the image; the Entrypoint is [Path]
	User     string   // numeric uid or uid:gid
	Env      []string // KEY=VALUE entries of the config's Env, in order
	Cmd      []string // the config's Cmd (default arguments), in order
	Skeleton bool     // also add /tmp (1777), /etc/passwd and /etc/group naming User
}

// Image builds the image-layout tarball for binary and returns it.
func Image(binary []byte, o Options) ([]byte, error) {
	arch, name := o.Arch, o.Name
	if arch != "amd64" && arch != "arm64" {
		return nil, fmt.Errorf("-arch: %q is not amd64 or arm64", arch)
	}
	tag := "latest"
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		tag = name[i+1:]
	}
	if name == "" || tag == "" || strings.ContainsAny(name, " \t\n") {
		return nil, fmt.Errorf("-name: %q is not an image reference", name)
	}
	if o.Path == "" {
		o.Path = "/" + binaryPath
	}
	if !strings.HasPrefix(o.Path, "/") || o.Path == "/" || path.Clean(o.Path) != o.Path {
		return nil, fmt.Errorf("-path: %q is not a clean absolute file path", o.Path)
	}
	if o.User == "" {
		o.User = defaultUser
	}
	uid, gid, ok := strings.Cut(o.User, ":")
	if !ok {
		gid = uid
	}
	if !numeric(uid) || !numeric(gid) {
		return nil, fmt.Errorf("-user: %q is not a numeric uid or uid:gid", o.User)
	}
	for _, e := range o.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return nil, fmt.Errorf("-env: %q is not KEY=VALUE", e)
		}
	}
	if o.Skeleton {
		switch o.Path {
		case "/tmp", "/etc", "/etc/passwd", "/etc/group":
			return nil, fmt.Errorf("-path: %q clashes with the -skeleton files", o.Path)
		}
	}

	// The layer: the binary, owned by root, readable and executable by everyone, after
	// its parent directories and (with Skeleton) /tmp, /etc/passwd and /etc/group.
	var layerTar bytes.Buffer
	tw := tar.NewWriter(&layerTar)
	dirs := map[string]bool{}
	addDir := func(name string, mode int64) error {
		if dirs[name] {
			return nil
		}
		dirs[name] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: epoch, Format: tar.FormatPAX})
	}
	addFile := func(p string, mode int64, data []byte) error {
		segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
		for i := 1; i < len(segs); i++ {
			if err := addDir(strings.Join(segs[:i], "/"), 0o755); err != nil {
				return err
			}
		}
		if err := tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data)),
			ModTime: epoch, Format: tar.FormatPAX,
		}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if o.Skeleton {
		if err := addDir("tmp", 0o1777); err != nil {
			return nil, err
		}
		passwd := fmt.Sprintf("root:x:0:0:root:/:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/tmp:/sbin/nologin\n", uid, gid)
		group := fmt.Sprintf("root:x:0:\nnonroot:x:%s:\n", gid)
		if err := addFile("/etc/passwd", 0o644, []byte(passwd)); err != nil {
			return nil, err
		}
		if err := addFile("/etc/group", 0o644, []byte(group)); err != nil {
			return nil, err
		}
	}
	if err := addFile(o.Path, 0o555, binary); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	diffID := sha256.Sum256(layerTar.Bytes())
	var layerGz bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&layerGz, gzip.BestCompression)
	gz.ModTime = time.Time{} // no timestamp in the gzip header
	gz.Write(layerTar.Bytes())
	if err := gz.Close(); err != nil {
		return nil, err
	}
	layer := newBlob(mediaLayer, layerGz.Bytes())

	// Env and Cmd appear only when set, so the runtime image's config stays as it was.
	runConfig := map[string]any{
		"User":       o.User,
		"Entrypoint": []string{o.Path},
		"WorkingDir": "/",
	}
	if len(o.Env) > 0 {
		runConfig["Env"] = o.Env
	}
	if len(o.Cmd) > 0 {
		runConfig["Cmd"] = o.Cmd
	}
	config := newBlob(mediaConfig, mustJSON(map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": arch,
		"os":           "linux",
		"config":       runConfig,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
		"history":      []map[string]any{{"created": epoch.Format(time.RFC3339), "created_by": "startorder mkimage"}},
	}))
	manifest := newBlob(mediaManifest, mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaManifest,
		"config":        config.desc,
		"layers":        []descriptor{layer.desc},
	}))
	md := manifest.desc
	md.Platform = &platform{Architecture: arch, OS: "linux"}
	md.Annotations = map[string]string{
		"org.opencontainers.image.ref.name": tag,
		"io.containerd.image.name":          name,
	}
	index := mustJSON(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": []descriptor{md}})

	var out bytes.Buffer
	ow := tar.NewWriter(&out)
	add := func(name string, data []byte) error {
		if err := ow.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := ow.Write(data)
		return err
	}
	dir := func(name string) error {
		return ow.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX})
	}
	steps := []func() error{
		func() error { return add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)) },
		func() error { return add("index.json", index) },
		func() error { return dir("blobs/") },
		func() error { return dir("blobs/sha256/") },
	}
	for _, b := range []blob{config, layer, manifest} {
		b := b
		steps = append(steps, func() error { return add("blobs/sha256/"+strings.TrimPrefix(b.desc.Digest, "sha256:"), b.data) })
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	if err := ow.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func numeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func main() {
	bin, o, out, err := parseArgs(os.Args[1:], os.Stderr)
	if err != nil {
		if err != errFlags {
			fmt.Fprintln(os.Stderr, "mkimage:", err)
		}
		os.Exit(2)
	}
	if err := run(bin, o, out); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

var errFlags = errors.New("bad flags")

// parseArgs reads the command line; usage goes to stderr.
func parseArgs(args []string, stderr io.Writer) (bin string, o Options, out string, err error) {
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&bin, "binary", "", "the static linux binary to package (required)")
	fs.StringVar(&o.Arch, "arch", "amd64", "image architecture: amd64 or arm64 (must match the binary)")
	fs.StringVar(&o.Name, "name", "docker.io/startorder/entrypoint:dev", "image reference")
	fs.StringVar(&o.Path, "path", "", "absolute path of the binary in the image, and the Entrypoint (default /<basename of -binary>)")
	fs.StringVar(&o.User, "user", defaultUser, "image config User: numeric uid or uid:gid")
	fs.Var((*stringList)(&o.Env), "env", "KEY=VALUE for the image config Env (repeatable, in order)")
	fs.Var((*stringList)(&o.Cmd), "cmd", "an argument of the image config Cmd (repeatable, in order)")
	fs.BoolVar(&o.Skeleton, "skeleton", false, "also add /tmp (mode 1777) and minimal /etc/passwd and /etc/group naming -user")
	fs.StringVar(&out, "out", "", "output tarball (OCI image layout) (required)")
	fs.StringVar(&out, "o", "", "alias of -out")
	if err := fs.Parse(args); err != nil {
		return "", Options{}, "", errFlags // the flag package has reported it, with the usage
	}
	if bin == "" || out == "" || fs.NArg() != 0 {
		return "", Options{}, "", errors.New("-binary and -out (or -o) are required, and there are no arguments")
	}
	if o.Path == "" {
		o.Path = "/" + filepath.Base(bin)
	}
	return bin, o, out, nil
}

func run(bin string, o Options, out string) error {
	arch := o.Arch
	binary, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if len(binary) < 4 || !bytes.Equal(binary[:4], []byte("\x7fELF")) {
		return errors.New(bin + " is not an ELF binary")
	}
	machine := map[string]uint16{"amd64": 62, "arm64": 183}[arch]
	if len(binary) > 20 && uint16(binary[18])|uint16(binary[19])<<8 != machine {
		return errors.New(bin + " is not a linux/" + arch + " binary")
	}
	img, err := Image(binary, o)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, img, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
