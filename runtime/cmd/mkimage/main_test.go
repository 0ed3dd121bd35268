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
	"os"
	"path/filepath"
	"strings"
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
	again, _ := Image(binary, o)
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
	amd, arm := Options{Arch: "amd64", Name: "a:b"}, Options{Arch: "arm64", Name: "a:b"}
	if err := run(filepath.Join(dir, "x"), amd, filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted a non-ELF file")
	}
	elf := make([]byte, 64)
	copy(elf, "\x7fELF")
	elf[18] = 183 // arm64
	os.WriteFile(filepath.Join(dir, "arm"), elf, 0o755)
	if err := run(filepath.Join(dir, "arm"), amd, filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted an arm64 binary as amd64")
	}
	if err := run(filepath.Join(dir, "arm"), arm, filepath.Join(dir, "o.tar")); err != nil {
		t.Error(err)
	}
	if _, err := Image(elf, Options{Arch: "riscv64", Name: "a:b"}); err == nil {
		t.Error("accepted riscv64")
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

func TestImageOptions(t *testing.T) {
	binary := append([]byte("\x7fELF"), bytes.Repeat([]byte{4, 5, 6}, 500)...)
	passwd := "root:x:0:0:root:/:/sbin/nologin\nnonroot:x:1000:2000:nonroot:/tmp:/sbin/nologin\n"
	for _, tc := range []struct {
		name   string
		o      Options
		config string // the config's "config" object, as JSON
		layer  []string
	}{{
		name:   "defaults are the runtime image",
		o:      Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev"},
		config: `{"Entrypoint":["/startorder-entrypoint"],"User":"65532:65532","WorkingDir":"/"}`,
		layer:  []string{"startorder-entrypoint 555"},
	}, {
		name:   "path user env cmd",
		o:      Options{Arch: "amd64", Name: "localhost/x:e2e", Path: "/workload", User: "1000", Env: []string{"PATH=/bin", "A=b=c"}, Cmd: []string{"-port", "8080"}},
		config: `{"Cmd":["-port","8080"],"Entrypoint":["/workload"],"Env":["PATH=/bin","A=b=c"],"User":"1000","WorkingDir":"/"}`,
		layer:  []string{"workload 555"},
	}, {
		name:   "nested path gets its parent directories",
		o:      Options{Arch: "arm64", Name: "x", Path: "/usr/local/bin/app"},
		config: `{"Entrypoint":["/usr/local/bin/app"],"User":"65532:65532","WorkingDir":"/"}`,
		layer:  []string{"usr/ 755", "usr/local/ 755", "usr/local/bin/ 755", "usr/local/bin/app 555"},
	}, {
		name:   "skeleton",
		o:      Options{Arch: "amd64", Name: "localhost/startorder/pause:e2e", Path: "/pause", User: "1000:2000", Skeleton: true},
		config: `{"Entrypoint":["/pause"],"User":"1000:2000","WorkingDir":"/"}`,
		layer:  []string{"tmp/ 1777", "etc/ 755", "etc/passwd 644", "etc/group 644", "pause 555"},
	}, {
		name:   "skeleton with the binary under /tmp does not repeat /tmp",
		o:      Options{Arch: "amd64", Name: "x", Path: "/tmp/bin/x", Skeleton: true},
		config: `{"Entrypoint":["/tmp/bin/x"],"User":"65532:65532","WorkingDir":"/"}`,
		layer:  []string{"tmp/ 1777", "etc/ 755", "etc/passwd 644", "etc/group 644", "tmp/bin/ 755", "tmp/bin/x 555"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := Image(binary, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Image(binary, tc.o)
			if err != nil || !bytes.Equal(img, again) {
				t.Fatalf("identical input gave different bytes (%v)", err)
			}
			config, layer := readImage(t, img)
			if got, _ := json.Marshal(config["config"]); string(got) != tc.config {
				t.Errorf("config\n got %s\nwant %s", got, tc.config)
			}
			if config["architecture"] != tc.o.Arch || config["os"] != "linux" {
				t.Errorf("platform %v/%v", config["os"], config["architecture"])
			}
			var names []string
			for _, e := range layer {
				names = append(names, fmt.Sprintf("%s %o", e.name, e.mode))
				switch {
				case e.typ == tar.TypeReg && "/"+e.name == tc.o.Path || e.name == "startorder-entrypoint":
					if !bytes.Equal(e.data, binary) {
						t.Errorf("%s: not the binary", e.name)
					}
				case e.name == "etc/passwd" && tc.o.User == "1000:2000" && string(e.data) != passwd:
					t.Errorf("etc/passwd %q", e.data)
				case e.name == "etc/group" && tc.o.User == "1000:2000" && string(e.data) != "root:x:0:\nnonroot:x:2000:\n":
					t.Errorf("etc/group %q", e.data)
				}
			}
			if strings.Join(names, ", ") != strings.Join(tc.layer, ", ") {
				t.Errorf("layer\n got %s\nwant %s", strings.Join(names, ", "), strings.Join(tc.layer, ", "))
			}
		})
	}
}

// TestImageDiffers: each option changes the bytes (so none is silently dropped).
func TestImageDiffers(t *testing.T) {
	binary := append([]byte("\x7fELF"), 9, 9, 9)
	base := Options{Arch: "amd64", Name: "a:b"}
	seen := map[string]string{}
	for _, tc := range []struct {
		name string
		edit func(*Options)
	}{
		{"base", func(*Options) {}},
		{"path", func(o *Options) { o.Path = "/x" }},
		{"user", func(o *Options) { o.User = "1:1" }},
		{"env", func(o *Options) { o.Env = []string{"A=1"} }},
		{"env order", func(o *Options) { o.Env = []string{"B=2", "A=1"} }},
		{"env order 2", func(o *Options) { o.Env = []string{"A=1", "B=2"} }},
		{"cmd", func(o *Options) { o.Cmd = []string{"x"} }},
		{"skeleton", func(o *Options) { o.Skeleton = true }},
		{"arch", func(o *Options) { o.Arch = "arm64" }},
		{"name", func(o *Options) { o.Name = "a:c" }},
	} {
		o := base
		tc.edit(&o)
		img, err := Image(binary, o)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		sum := fmt.Sprintf("%x", sha256.Sum256(img))
		if prev, ok := seen[sum]; ok {
			t.Errorf("%s gives the same bytes as %s", tc.name, prev)
		}
		seen[sum] = tc.name
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

func TestImageRejects(t *testing.T) {
	binary := append([]byte("\x7fELF"), 1)
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"relative path", Options{Path: "workload"}},
		{"root path", Options{Path: "/"}},
		{"unclean path", Options{Path: "/a/../b"}},
		{"trailing slash", Options{Path: "/a/"}},
		{"user name", Options{User: "nobody"}},
		{"user gid name", Options{User: "1:users"}},
		{"empty gid", Options{User: "1:"}},
		{"env without =", Options{Env: []string{"A"}}},
		{"env without key", Options{Env: []string{"=a"}}},
		{"skeleton clash", Options{Skeleton: true, Path: "/etc/passwd"}},
		{"bad name", Options{Name: "a b"}},
		{"bad arch", Options{Arch: "386"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			if o.Arch == "" {
				o.Arch = "amd64"
			}
			if o.Name == "" {
				o.Name = "a:b"
			}
			if _, err := Image(binary, o); err == nil {
				t.Errorf("accepted %+v", o)
			}
		})
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		bin     string
		out     string
		o       Options
		wantErr bool
	}{{
		name: "build.sh",
		args: []string{"-binary", "/w/startorder-entrypoint", "-arch", "arm64", "-name", "n:t", "-out", "/o.tar"},
		bin:  "/w/startorder-entrypoint", out: "/o.tar",
		o: Options{Arch: "arm64", Name: "n:t", Path: "/startorder-entrypoint", User: "65532:65532"},
	}, {
		name: "-o alias, path default from the binary, repeatable env and cmd",
		args: []string{"-binary", "d/pause", "-o", "p.tar", "-env", "A=1", "-cmd", "x", "-env", "B=2", "-cmd", "y", "-skeleton", "-user", "7"},
		bin:  "d/pause", out: "p.tar",
		o: Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev", Path: "/pause", User: "7", Env: []string{"A=1", "B=2"}, Cmd: []string{"x", "y"}, Skeleton: true},
	}, {
		name: "explicit path",
		args: []string{"-binary", "w", "-path", "/bin/w", "-o", "w.tar"},
		bin:  "w", out: "w.tar",
		o: Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev", Path: "/bin/w", User: "65532:65532"},
	},
		{name: "no -out", args: []string{"-binary", "w"}, wantErr: true},
		{name: "no -binary", args: []string{"-o", "w.tar"}, wantErr: true},
		{name: "stray argument", args: []string{"-binary", "w", "-o", "w.tar", "x"}, wantErr: true},
		{name: "unknown flag", args: []string{"-binary", "w", "-o", "w.tar", "-nope"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bin, o, out, err := parseArgs(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if bin != tc.bin || out != tc.out || fmt.Sprintf("%#v", o) != fmt.Sprintf("%#v", tc.o) {
				t.Errorf("got %q %q %#v\nwant %q %q %#v", bin, out, o, tc.bin, tc.out, tc.o)
			}
		})
	}
}
