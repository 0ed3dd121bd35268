// Command mkimage writes the startorder runtime image as an OCI image-layout tarball,
// without Docker: a scratch image holding one file, /startorder-entrypoint, run as user
// 65532:65532. The output is deterministic: the same binary gives the same bytes.
//
//	mkimage -binary dist/startorder-entrypoint-linux-amd64 -arch amd64 \
//	        -name docker.io/startorder/entrypoint:dev -out entrypoint.tar
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
	"os"
	"strings"
	"time"
)

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	binaryPath    = "startorder-entrypoint"
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

// Image builds the image-layout tarball for binary and returns it.
func Image(binary []byte, arch, name string) ([]byte, error) {
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

	// The layer: one file, owned by root, readable and executable by everyone.
	var layerTar bytes.Buffer
	tw := tar.NewWriter(&layerTar)
	if err := tw.WriteHeader(&tar.Header{
		Typeflag: tar.TypeReg, Name: binaryPath, Mode: 0o555, Size: int64(len(binary)),
		ModTime: epoch, Format: tar.FormatPAX,
	}); err != nil {
		return nil, err
	}
	tw.Write(binary)
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

	config := newBlob(mediaConfig, mustJSON(map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": arch,
		"os":           "linux",
		"config": map[string]any{
			"User":       "65532:65532",
			"Entrypoint": []string{"/" + binaryPath},
			"WorkingDir": "/",
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
		"history": []map[string]any{{"created": epoch.Format(time.RFC3339), "created_by": "startorder mkimage"}},
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

func main() {
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	bin := fs.String("binary", "", "the startorder-entrypoint binary to package")
	arch := fs.String("arch", "amd64", "image architecture: amd64 or arm64")
	name := fs.String("name", "docker.io/startorder/entrypoint:dev", "image reference")
	out := fs.String("out", "", "output tarball (OCI image layout)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *bin == "" || *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "mkimage: -binary and -out are required")
		os.Exit(2)
	}
	if err := run(*bin, *arch, *name, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(bin, arch, name, out string) error {
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
	img, err := Image(binary, arch, name)
	if err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, img, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}
