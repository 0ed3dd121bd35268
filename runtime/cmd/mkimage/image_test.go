package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
	o := Options{Arch: "arm64", Name: "docker.io/startorder/entrypoint:dev"}
	img, err := Image(binary, o)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Image(binary, o); !bytes.Equal(img, again) {
		t.Fatal("not deterministic")
	}
	files := untar(t, img)
	md := layoutRoot(t, files)
	if md.Annotations["io.containerd.image.name"] != "docker.io/startorder/entrypoint:dev" ||
		md.Annotations["org.opencontainers.image.ref.name"] != "dev" || md.Platform == nil || md.Platform.Architecture != "arm64" || md.Platform.OS != "linux" {
		t.Errorf("manifest descriptor %+v", md)
	}
	// Digests, sizes, media types, the gzip header and diff_ids; then the config and the layer.
	config, layer := checkManifest(t, files, md)
	if got, _ := json.Marshal(config["config"]); string(got) != `{"Entrypoint":["/startorder-entrypoint"],"User":"65532:65532","WorkingDir":"/"}` {
		t.Errorf("config %s", got)
	}
	if config["architecture"] != "arm64" || config["os"] != "linux" || len(layer) != 1 || layer[0] != "startorder-entrypoint 555" {
		t.Errorf("platform %v/%v, layer %v", config["os"], config["architecture"], layer)
	}
	if _, entries := readImage(t, img); !bytes.Equal(entries[0].data, binary) {
		t.Error("binary differs")
	}
}

// readImage unpacks an image made by Image: its config (raw, so absent keys can be told
// from empty ones) and the layer's entries in order, with their contents.
type layerEntry struct {
	name string
	mode int64
	typ  byte
	data []byte
}

func readImage(t *testing.T, img []byte) (config map[string]any, layer []layerEntry) {
	t.Helper()
	files := untar(t, img)
	var index struct{ Manifests []descriptor }
	if err := json.Unmarshal(files["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	var manifest struct {
		Config descriptor
		Layers []descriptor
	}
	if err := json.Unmarshal(blobOf(t, files, index.Manifests[0]), &manifest); err != nil || len(manifest.Layers) != 1 {
		t.Fatalf("manifest: %v %+v", err, manifest)
	}
	if err := json.Unmarshal(blobOf(t, files, manifest.Config), &config); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(blobOf(t, files, manifest.Layers[0])))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return config, layer
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("layer entry %s: mtime %v uid %d gid %d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		b, _ := io.ReadAll(tr)
		layer = append(layer, layerEntry{h.Name, h.Mode, h.Typeflag, b})
	}
}

// TestRuntimeImageBytes pins the runtime image's bytes for a fixed binary: these are the
// digests of the single-purpose mkimage this one replaced, so runtime/image/build.sh keeps
// giving the same tarball. (A Go release that changed compress/flate's output would move
// them, and the runtime image's digest with them.)
func TestRuntimeImageBytes(t *testing.T) {
	binary := append([]byte("\x7fELF"), bytes.Repeat([]byte{1, 2, 3}, 1000)...)
	for _, tc := range []struct{ arch, sum string }{
		{"amd64", "6d4b26e44ef0ef81613d5fc6a4f77427a44e0036723295be104b6851ebe4ace6"},
		{"arm64", "fa25697e272afa1d4205e3fec10003f8114a82d812bf93ee8c9ad7d10eaafcc0"},
	} {
		for _, o := range []Options{
			{Arch: tc.arch, Name: "docker.io/startorder/entrypoint:dev"},
			{Arch: tc.arch, Name: "docker.io/startorder/entrypoint:dev", Path: "/startorder-entrypoint", User: "65532:65532"},
		} {
			img, err := Image(binary, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%x", sha256.Sum256(img)); got != tc.sum {
				t.Errorf("%+v: sha256 %s, want %s", o, got, tc.sum)
			}
		}
	}
}
