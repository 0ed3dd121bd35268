package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func untar(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s: mtime %v", h.Name, h.ModTime)
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
}

func blobOf(t *testing.T, files map[string][]byte, d descriptor) []byte {
	t.Helper()
	b, ok := files["blobs/sha256/"+d.Digest[len("sha256:"):]]
	if !ok {
		t.Fatalf("missing blob %s", d.Digest)
	}
	sum := sha256.Sum256(b)
	if "sha256:"+hex.EncodeToString(sum[:]) != d.Digest || int64(len(b)) != d.Size {
		t.Fatalf("blob %s: digest or size mismatch", d.Digest)
	}
	return b
}

func TestImage(t *testing.T) {
	binary := append([]byte("\x7fELF"), bytes.Repeat([]byte{1, 2, 3}, 1000)...)
	img, err := Image(binary, "arm64", "docker.io/startorder/entrypoint:dev")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Image(binary, "arm64", "docker.io/startorder/entrypoint:dev")
	if !bytes.Equal(img, again) {
		t.Fatal("not deterministic")
	}
	files := untar(t, img)
	if string(files["oci-layout"]) != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout %s", files["oci-layout"])
	}
	var index struct {
		SchemaVersion int
		Manifests     []descriptor
	}
	if err := json.Unmarshal(files["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	md := index.Manifests[0]
	if md.Annotations["io.containerd.image.name"] != "docker.io/startorder/entrypoint:dev" ||
		md.Annotations["org.opencontainers.image.ref.name"] != "dev" || md.Platform.Architecture != "arm64" {
		t.Errorf("manifest descriptor %+v", md)
	}
	var manifest struct {
		Config descriptor
		Layers []descriptor
	}
	json.Unmarshal(blobOf(t, files, md), &manifest)
	var config struct {
		Architecture, OS string
		Config           struct {
			User       string
			Entrypoint []string
		}
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		}
	}
	json.Unmarshal(blobOf(t, files, manifest.Config), &config)
	if config.Config.User != "65532:65532" || len(config.Config.Entrypoint) != 1 || config.Config.Entrypoint[0] != "/startorder-entrypoint" ||
		config.Architecture != "arm64" || config.OS != "linux" {
		t.Errorf("config %+v", config)
	}
	if len(manifest.Layers) != 1 {
		t.Fatalf("layers %+v", manifest.Layers)
	}
	gz, err := gzip.NewReader(bytes.NewReader(blobOf(t, files, manifest.Layers[0])))
	if err != nil {
		t.Fatal(err)
	}
	layerTar, _ := io.ReadAll(gz)
	sum := sha256.Sum256(layerTar)
	if len(config.RootFS.DiffIDs) != 1 || config.RootFS.DiffIDs[0] != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("diff_ids %v", config.RootFS.DiffIDs)
	}
	tr := tar.NewReader(bytes.NewReader(layerTar))
	h, err := tr.Next()
	if err != nil || h.Name != "startorder-entrypoint" || h.Mode != 0o555 || h.Uid != 0 {
		t.Fatalf("layer entry %+v %v", h, err)
	}
	if got, _ := io.ReadAll(tr); !bytes.Equal(got, binary) {
		t.Error("binary differs")
	}
}

func TestRunChecksTheBinary(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("#!/bin/sh\n"), 0o755)
	if err := run(filepath.Join(dir, "x"), "amd64", "a:b", filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted a non-ELF file")
	}
	elf := make([]byte, 64)
	copy(elf, "\x7fELF")
	elf[18] = 183 // arm64
	os.WriteFile(filepath.Join(dir, "arm"), elf, 0o755)
	if err := run(filepath.Join(dir, "arm"), "amd64", "a:b", filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted an arm64 binary as amd64")
	}
	if err := run(filepath.Join(dir, "arm"), "arm64", "a:b", filepath.Join(dir, "o.tar")); err != nil {
		t.Error(err)
	}
	if _, err := Image(elf, "riscv64", "a:b"); err == nil {
		t.Error("accepted riscv64")
	}
}
