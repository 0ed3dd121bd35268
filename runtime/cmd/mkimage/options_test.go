package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestImageOptions(t *testing.T) {
	binary := append([]byte("\x7fELF"), bytes.Repeat([]byte{4, 5, 6}, 500)...)
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
		t.Run(tc.name, func(t *testing.T) { checkOptions(t, binary, tc.o, tc.config, tc.layer) })
	}
}

// checkOptions builds the image of binary with o twice (same bytes) and compares its config
// object and its layer entries ("name mode") with the wanted ones; the files have their contents.
func checkOptions(t *testing.T, binary []byte, o Options, wantConfig string, wantLayer []string) {
	t.Helper()
	passwd := "root:x:0:0:root:/:/sbin/nologin\nnonroot:x:1000:2000:nonroot:/tmp:/sbin/nologin\n"
	img, err := Image(binary, o)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Image(binary, o)
	if err != nil || !bytes.Equal(img, again) {
		t.Fatalf("identical input gave different bytes (%v)", err)
	}
	config, layer := readImage(t, img)
	if got, _ := json.Marshal(config["config"]); string(got) != wantConfig {
		t.Errorf("config\n got %s\nwant %s", got, wantConfig)
	}
	if config["architecture"] != o.Arch || config["os"] != "linux" {
		t.Errorf("platform %v/%v", config["os"], config["architecture"])
	}
	var names []string
	for _, e := range layer {
		names = append(names, fmt.Sprintf("%s %o", e.name, e.mode))
		switch {
		case e.typ == tar.TypeReg && "/"+e.name == o.Path || e.name == "startorder-entrypoint":
			if !bytes.Equal(e.data, binary) {
				t.Errorf("%s: not the binary", e.name)
			}
		case e.name == "etc/passwd" && o.User == "1000:2000" && string(e.data) != passwd:
			t.Errorf("etc/passwd %q", e.data)
		case e.name == "etc/group" && o.User == "1000:2000" && string(e.data) != "root:x:0:\nnonroot:x:2000:\n":
			t.Errorf("etc/group %q", e.data)
		}
	}
	if strings.Join(names, ", ") != strings.Join(wantLayer, ", ") {
		t.Errorf("layer\n got %s\nwant %s", strings.Join(names, ", "), strings.Join(wantLayer, ", "))
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
