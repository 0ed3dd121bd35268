package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tree makes a small tree: an executable, a private file, a symbolic link, a sticky /tmp.
func tree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"app/bin", "lib", "tmp", "empty"} {
		os.MkdirAll(filepath.Join(root, d), 0o700)
	}
	os.Chmod(filepath.Join(root, "tmp"), 0o777|os.ModeSticky)
	os.WriteFile(filepath.Join(root, "app/bin/run"), []byte("#!/bin/sh\n"), 0o700)
	os.WriteFile(filepath.Join(root, "app/data"), []byte("data"), 0o600)
	os.Symlink("../app/bin/run", filepath.Join(root, "lib/run"))
	return root
}

// layerEntries lists a tree image's layer as "name mode [-> target]", and returns its config.
func layerEntries(t *testing.T, img []byte) (entries []string, config map[string]any) {
	t.Helper()
	files := untar(t, img)
	config, _ = checkManifest(t, files, layoutRoot(t, files))
	var m struct{ Layers []descriptor }
	json.Unmarshal(blobOf(t, files, layoutRoot(t, files)), &m)
	gz, _ := gzip.NewReader(bytes.NewReader(blobOf(t, files, m.Layers[0])))
	tr := tar.NewReader(gz)
	for h, err := tr.Next(); err != io.EOF; h, err = tr.Next() {
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" {
			t.Errorf("%s: mtime %v owner %d:%d %q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname)
		}
		e := fmt.Sprintf("%s %o", h.Name, h.Mode)
		if h.Typeflag == tar.TypeSymlink {
			e += " -> " + h.Linkname
		}
		entries = append(entries, e)
	}
	return entries, config
}

func treeTar(root string, o Options) ([]byte, error) {
	l, err := TreeImage(root, o)
	if err != nil {
		return nil, err
	}
	return l.Tar()
}

func TestTreeImage(t *testing.T) {
	root := tree(t)
	o := Options{Arch: "amd64", Name: "localhost/startorder/function:test", Entrypoint: []string{"/app/bin/run", "-x"}, Cmd: []string{"y"}}
	img, err := treeTar(root, o)
	if err != nil {
		t.Fatal(err)
	}
	entries, config := layerEntries(t, img)
	want := "app/ 755, app/bin/ 755, app/bin/run 755, app/data 644, empty/ 755, lib/ 755, lib/run 777 -> ../app/bin/run, tmp/ 1777"
	if got := strings.Join(entries, ", "); got != want {
		t.Errorf("layer\n got %s\nwant %s", got, want)
	}
	if got, _ := json.Marshal(config["config"]); string(got) != `{"Cmd":["y"],"Entrypoint":["/app/bin/run","-x"],"User":"65532:65532","WorkingDir":"/"}` {
		t.Errorf("config %s", got)
	}
	// Times and permission bits other than "executable" do not reach the bytes.
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	os.Chtimes(filepath.Join(root, "app/data"), old, old)
	os.Chmod(filepath.Join(root, "app/bin/run"), 0o750)
	os.Chmod(filepath.Join(root, "app/data"), 0o640)
	if again, err := treeTar(root, o); err != nil || !bytes.Equal(again, img) {
		t.Errorf("mtime or permission bits changed the image (%v)", err)
	}
	os.WriteFile(filepath.Join(root, "app/data"), []byte("other"), 0o600)
	if again, _ := treeTar(root, o); bytes.Equal(again, img) {
		t.Error("a content change did not change the image")
	}
}

func TestTreeImageRejects(t *testing.T) {
	root := tree(t)
	if _, err := TreeImage(root, Options{Arch: "amd64", Name: "a:b"}); err == nil {
		t.Error("accepted no -entrypoint")
	}
	if _, err := TreeImage(root, Options{Arch: "amd64", Name: "a:b", Entrypoint: []string{"run"}}); err == nil {
		t.Error("accepted a relative -entrypoint")
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := TreeImage(root, Options{Arch: "amd64", Name: "a:b", Entrypoint: []string{"/app/bin/run"}}); err == nil || !strings.Contains(err.Error(), "fifo") {
		t.Errorf("a named pipe: %v", err)
	}
}
