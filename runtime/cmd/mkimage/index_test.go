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
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeELF is enough of an ELF header for checkELF: the magic and e_machine.
func fakeELF(machine byte, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, 4096)
	copy(b, "\x7fELF")
	b[18], b[19] = machine, 0
	return b
}

// ociImage is what checkLayout found: the platforms of the image index, in order, and per
// platform the config and the layer's entries.
type ociImage struct {
	platforms []string
	configs   map[string]map[string]any
	layers    map[string][]string // "name mode" per entry
}

// checkLayout reads an OCI image layout (as files by path) the way a registry client would
// and fails on anything a strict one would reject: a blob missing or not matching its
// descriptor's digest and size, a document whose mediaType differs from the descriptor's, a
// config whose platform or diff_ids do not match, a layer that is not gzip.
func checkLayout(t *testing.T, files map[string][]byte) (root descriptor, img ociImage) {
	t.Helper()
	if root = layoutRoot(t, files); root.MediaType != mediaIndex {
		t.Fatalf("index.json names a %s, not an image index", root.MediaType)
	}
	var index struct {
		SchemaVersion int
		MediaType     string
		Manifests     []descriptor
	}
	decode(t, files, root, &index)
	img = ociImage{configs: map[string]map[string]any{}, layers: map[string][]string{}}
	for _, md := range index.Manifests {
		if md.MediaType != mediaManifest || md.Platform == nil || md.Platform.OS != "linux" {
			t.Fatalf("image index entry %+v", md)
		}
		arch := md.Platform.Architecture
		img.platforms = append(img.platforms, "linux/"+arch)
		img.configs[arch], img.layers[arch] = checkManifest(t, files, md)
		if img.configs[arch]["architecture"] != arch || img.configs[arch]["os"] != "linux" {
			t.Errorf("%s: config platform %v/%v", arch, img.configs[arch]["os"], img.configs[arch]["architecture"])
		}
	}
	return root, img
}

// layoutRoot checks oci-layout and index.json and returns the one descriptor index.json holds.
func layoutRoot(t *testing.T, files map[string][]byte) descriptor {
	t.Helper()
	if string(files["oci-layout"]) != layoutFile {
		t.Fatalf("oci-layout %q", files["oci-layout"])
	}
	var top struct {
		SchemaVersion int
		MediaType     string
		Manifests     []descriptor
	}
	if err := json.Unmarshal(files["index.json"], &top); err != nil || top.SchemaVersion != 2 || top.MediaType != mediaIndex || len(top.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	return top.Manifests[0]
}

func checkManifest(t *testing.T, files map[string][]byte, md descriptor) (config map[string]any, layer []string) {
	t.Helper()
	var m struct {
		SchemaVersion int
		MediaType     string
		Config        descriptor
		Layers        []descriptor
	}
	decode(t, files, md, &m)
	if m.Config.MediaType != mediaConfig || len(m.Layers) != 1 || m.Layers[0].MediaType != mediaLayer {
		t.Fatalf("manifest %+v", m)
	}
	if err := json.Unmarshal(blobOf(t, files, m.Config), &config); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(blobOf(t, files, m.Layers[0])))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header name %q mtime %v", gz.Name, gz.ModTime)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	rootfs, _ := config["rootfs"].(map[string]any)
	if ids, _ := rootfs["diff_ids"].([]any); len(ids) != 1 || ids[0] != "sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("diff_ids %v", rootfs["diff_ids"])
	}
	tr := tar.NewReader(bytes.NewReader(raw))
	for h, err := tr.Next(); err != io.EOF; h, err = tr.Next() {
		if err != nil {
			t.Fatal(err)
		}
		layer = append(layer, fmt.Sprintf("%s %o", h.Name, h.Mode))
	}
	return config, layer
}

// decode reads the JSON blob d names into v and checks its schemaVersion and mediaType fields.
func decode(t *testing.T, files map[string][]byte, d descriptor, v any) {
	t.Helper()
	b := blobOf(t, files, d)
	var head struct {
		SchemaVersion int
		MediaType     string
	}
	if err := json.Unmarshal(b, &head); err != nil || head.SchemaVersion != 2 || head.MediaType != d.MediaType {
		t.Fatalf("%s: %v schemaVersion %d mediaType %q, descriptor says %q", d.Digest, err, head.SchemaVersion, head.MediaType, d.MediaType)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// readDir reads a layout directory as files by slash path.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestIndexIsValidOCI(t *testing.T) {
	binaries := map[string][]byte{"arm64": fakeELF(183, 2), "amd64": fakeELF(62, 1)}
	l, err := Index(binaries, Options{Name: "ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	tarball, err := l.Tar()
	if err != nil {
		t.Fatal(err)
	}
	files := untar(t, tarball)
	root, img := checkLayout(t, files)
	if root.Digest != l.Root.Digest || root.Size != l.Root.Size {
		t.Errorf("index.json names %s, Index returned %s", root.Digest, l.Root.Digest)
	}
	if root.Annotations["org.opencontainers.image.ref.name"] != "v0.1.0" ||
		root.Annotations["io.containerd.image.name"] != "ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0" {
		t.Errorf("annotations %v", root.Annotations)
	}
	if got := strings.Join(img.platforms, " "); got != "linux/amd64 linux/arm64" {
		t.Errorf("platforms %s", got)
	}
	for arch, layer := range img.layers {
		if strings.Join(layer, ",") != "startorder-entrypoint 555" {
			t.Errorf("%s layer %v", arch, layer)
		}
	}
	// Every blob is reachable and none is there twice; the directory holds the same files.
	for name := range files {
		if strings.HasSuffix(name, "/") {
			delete(files, name)
		}
	}
	if len(files) != 2+1+2*3 {
		t.Errorf("%d files in the layout", len(files))
	}
	dir := filepath.Join(t.TempDir(), "layout")
	os.MkdirAll(filepath.Join(dir, "stale"), 0o755) // replaced, not merged
	if err := l.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	onDisk := readDir(t, dir)
	for name, b := range files {
		if !bytes.Equal(onDisk[name], b) {
			t.Errorf("%s differs between the tarball and the directory", name)
		}
	}
	if len(onDisk) != len(files) {
		t.Errorf("directory has %d files, tarball %d", len(onDisk), len(files))
	}
}

// TestIndexDigestIgnoresTheName: the name lives in index.json only, so a mirror under
// another name serves the same image index digest.
func TestIndexDigestIgnoresTheName(t *testing.T) {
	binaries := map[string][]byte{"amd64": fakeELF(62, 1), "arm64": fakeELF(183, 2)}
	a, _ := Index(binaries, Options{Name: "a/b:c"})
	b, _ := Index(binaries, Options{Name: "registry.example/x/y:z"})
	if a.Root.Digest != b.Root.Digest || bytes.Equal(a.Index, b.Index) {
		t.Errorf("digests %s %s", a.Root.Digest, b.Root.Digest)
	}
	c, _ := Index(binaries, Options{Name: "a/b:c", User: "1:1"})
	if c.Root.Digest == a.Root.Digest {
		t.Error("the user does not change the digest")
	}
	if _, err := Index(map[string][]byte{"386": fakeELF(3, 1)}, Options{Name: "a:b"}); err == nil {
		t.Error("accepted 386")
	}
	if _, err := Index(nil, Options{Name: "a:b"}); err == nil {
		t.Error("accepted no binaries")
	}
}

// TestIndexSharedLayer: two platforms with the same layer keep one copy of the blob.
func TestIndexSharedLayer(t *testing.T) {
	same := fakeELF(62, 1)
	l, err := Index(map[string][]byte{"amd64": same, "arm64": same}, Options{Name: "a:b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Blobs) != 1+2+2+1 { // the layer, two configs, two manifests, the image index
		t.Errorf("%d blobs", len(l.Blobs))
	}
}
