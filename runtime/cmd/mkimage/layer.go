package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// layerOf is the layer's tar: (with Skeleton) /tmp, /etc/passwd and /etc/group, then the
// binary after its parent directories; root-owned, dated at the epoch, binary mode 0555.
func layerOf(binary []byte, c checked) ([]byte, error) {
	var out bytes.Buffer
	w := layerWriter{tw: tar.NewWriter(&out), dirs: map[string]bool{}}
	if c.Skeleton {
		w.skeleton(c)
	}
	w.file(c.Path, 0o555, binary)
	if w.err == nil {
		w.err = w.tw.Close()
	}
	return out.Bytes(), w.err
}

// skeleton writes /tmp (1777) and minimal /etc/passwd and /etc/group naming c's user.
func (w *layerWriter) skeleton(c checked) {
	passwd := fmt.Sprintf("root:x:0:0:root:/:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/tmp:/sbin/nologin\n", c.uid, c.gid)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%s:\n", c.gid)
	w.dir("tmp", 0o1777)
	w.file("/etc/passwd", 0o644, []byte(passwd))
	w.file("/etc/group", 0o644, []byte(group))
}

// layerWriter writes tar entries, each directory once; the first error sticks.
type layerWriter struct {
	tw   *tar.Writer
	dirs map[string]bool
	err  error
}

func (w *layerWriter) header(h *tar.Header) {
	if w.err == nil {
		h.ModTime, h.Format = epoch, tar.FormatPAX
		w.err = w.tw.WriteHeader(h)
	}
}

func (w *layerWriter) dir(name string, mode int64) {
	if !w.dirs[name] {
		w.dirs[name] = true
		w.header(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
	}
}

// file writes p (absolute) after its missing parent directories (0755).
func (w *layerWriter) file(p string, mode int64, data []byte) {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i := 1; i < len(segs); i++ {
		w.dir(strings.Join(segs[:i], "/"), 0o755)
	}
	w.header(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data))})
	if w.err == nil {
		_, w.err = w.tw.Write(data)
	}
}

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

// TreeImage builds the image layout of one platform whose layer is the tree under root (see
// treeLayer); o.Entrypoint is required, o.Path is not used.
func TreeImage(root string, o Options) (Layout, error) {
	if len(o.Entrypoint) == 0 || !strings.HasPrefix(o.Entrypoint[0], "/") {
		return Layout{}, fmt.Errorf("-entrypoint: an absolute path is required with -root")
	}
	o.Path = path.Clean(o.Entrypoint[0])
	c, err := o.check()
	if err != nil {
		return Layout{}, err
	}
	layerTar, err := treeLayer(root, c)
	if err != nil {
		return Layout{}, err
	}
	return single(layerTar, c)
}

// treeLayer is the layer of the files under root, named as below root, in lexical order:
// directories 0755 (1777 when the source is world-writable and sticky), files 0755 when the
// source is executable and 0644 otherwise, symbolic links as they are; root-owned, dated at
// the epoch, so only names, contents and link targets reach the bytes. (With Skeleton, /tmp,
// /etc/passwd and /etc/group come first and must not also be in the tree.)
func treeLayer(root string, c checked) ([]byte, error) {
	var out bytes.Buffer
	w := layerWriter{tw: tar.NewWriter(&out), dirs: map[string]bool{}}
	if c.Skeleton {
		w.skeleton(c)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root || w.err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		name := filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch mode := info.Mode(); {
		case mode.IsDir() && mode&fs.ModeSticky != 0 && mode.Perm() == 0o777:
			w.dir(name, 0o1777)
		case mode.IsDir():
			w.dir(name, 0o755)
		case mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			w.header(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777})
		case mode.IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			w.file("/"+name, map[bool]int64{true: 0o755, false: 0o644}[mode.Perm()&0o111 != 0], data)
		default:
			return fmt.Errorf("%s: a %v is neither a file, a directory nor a symbolic link", p, mode.Type())
		}
		return nil
	})
	if err == nil {
		err = w.err
	}
	if err == nil {
		err = w.tw.Close()
	}
	return out.Bytes(), err
}
