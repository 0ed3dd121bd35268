package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

const (
	mediaIndex    = "application/vnd.oci.image.index.v1+json"
	mediaManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaConfig   = "application/vnd.oci.image.config.v1+json"
	mediaLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
	layoutFile    = `{"imageLayoutVersion":"1.0.0"}`
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

// mustJSON encodes v; encoding/json writes map keys sorted and struct fields in order, so the
// same value always gives the same bytes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// indexOf is an image index (also the shape of a layout's index.json) listing descs.
func indexOf(descs ...descriptor) []byte {
	return mustJSON(map[string]any{"schemaVersion": 2, "mediaType": mediaIndex, "manifests": descs})
}

// refAnnotations name an image in a layout's index.json twice: org.opencontainers.image.ref.name
// (the tag, as the OCI image layout defines it) and io.containerd.image.name (the full reference,
// which `ctr images import` uses as the image name).
func refAnnotations(name, tag string) map[string]string {
	return map[string]string{"org.opencontainers.image.ref.name": tag, "io.containerd.image.name": name}
}

// Layout is an OCI image layout: index.json, and the blobs it reaches in the order they are written.
type Layout struct {
	Index []byte
	Blobs []blob
	Root  descriptor // what index.json names: the image index (multi-arch) or the manifest
}

func blobPath(d descriptor) string { return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:") }

// Tar writes the layout as a tarball: oci-layout, index.json, the blob directories, then the
// blobs, every entry root-owned and dated at the epoch.
func (l Layout) Tar() ([]byte, error) {
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	write := func(h *tar.Header, data []byte) error {
		h.ModTime, h.Format = epoch, tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	file := func(name string, data []byte) error {
		return write(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data))}, data)
	}
	dir := func(name string) error {
		return write(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755}, nil)
	}
	err := firstError(
		func() error { return file("oci-layout", []byte(layoutFile)) },
		func() error { return file("index.json", l.Index) },
		func() error { return dir("blobs/") },
		func() error { return dir("blobs/sha256/") },
	)
	for _, b := range l.Blobs {
		if err == nil {
			err = file(blobPath(b.desc), b.data)
		}
	}
	if err == nil {
		err = tw.Close()
	}
	return out.Bytes(), err
}

// WriteDir writes the layout as a directory, replacing dir: it is built beside dir and renamed
// into place, so a reader never sees half a layout.
func (l Layout) WriteDir(dir string) error {
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "blobs", "sha256"), 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"oci-layout": []byte(layoutFile), "index.json": l.Index}
	for _, b := range l.Blobs {
		files[blobPath(b.desc)] = b.data
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, filepath.FromSlash(name)), data, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// uniqueSorted drops repeated blobs (two platforms may share a layer) and sorts by digest.
func uniqueSorted(blobs []blob) []blob {
	seen := map[string]bool{}
	var out []blob
	for _, b := range blobs {
		if !seen[b.desc.Digest] {
			seen[b.desc.Digest] = true
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].desc.Digest < out[j].desc.Digest })
	return out
}

func firstError(steps ...func() error) error {
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}
