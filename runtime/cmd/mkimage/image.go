package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

const (
	binaryPath  = "startorder-entrypoint" // the default -path, without its leading slash
	defaultUser = "65532:65532"
)

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
	// Entrypoint replaces [Path] as the config's Entrypoint when set (TreeImage needs it).
	Entrypoint []string
}

// checked is Options after checking, with its defaults filled in and the parts split out.
type checked struct {
	Options
	tag, uid, gid string
}

func (o Options) check() (checked, error) {
	c := checked{Options: o, tag: "latest"}
	if o.Arch != "amd64" && o.Arch != "arm64" {
		return c, fmt.Errorf("-arch: %q is not amd64 or arm64", o.Arch)
	}
	if i := strings.LastIndexByte(o.Name, ':'); i > strings.LastIndexByte(o.Name, '/') {
		c.tag = o.Name[i+1:]
	}
	if o.Name == "" || c.tag == "" || strings.ContainsAny(o.Name, " \t\n") {
		return c, fmt.Errorf("-name: %q is not an image reference", o.Name)
	}
	if c.Path == "" {
		c.Path = "/" + binaryPath
	}
	if !strings.HasPrefix(c.Path, "/") || c.Path == "/" || path.Clean(c.Path) != c.Path {
		return c, fmt.Errorf("-path: %q is not a clean absolute file path", c.Path)
	}
	if c.User == "" {
		c.User = defaultUser
	}
	var ok bool
	if c.uid, c.gid, ok = strings.Cut(c.User, ":"); !ok {
		c.gid = c.uid
	}
	if !numeric(c.uid) || !numeric(c.gid) {
		return c, fmt.Errorf("-user: %q is not a numeric uid or uid:gid", c.User)
	}
	for _, e := range o.Env {
		if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
			return c, fmt.Errorf("-env: %q is not KEY=VALUE", e)
		}
	}
	switch c.Path {
	case "/tmp", "/etc", "/etc/passwd", "/etc/group":
		if o.Skeleton {
			return c, fmt.Errorf("-path: %q clashes with the -skeleton files", c.Path)
		}
	}
	return c, nil
}

// Image builds the image-layout tarball for binary and returns it: index.json names the one
// manifest (with its platform), the blobs are the config, the layer and the manifest.
func Image(binary []byte, o Options) ([]byte, error) {
	c, err := o.check()
	if err != nil {
		return nil, err
	}
	layerTar, err := layerOf(binary, c)
	if err != nil {
		return nil, err
	}
	l, err := single(layerTar, c)
	if err != nil {
		return nil, err
	}
	return l.Tar()
}

// single is the one-platform layout around layerTar: index.json names the manifest.
func single(layerTar []byte, c checked) (Layout, error) {
	manifest, config, layer, err := buildManifest(layerTar, c)
	if err != nil {
		return Layout{}, err
	}
	md := manifest.desc
	md.Platform = &platform{Architecture: c.Arch, OS: "linux"}
	md.Annotations = refAnnotations(c.Name, c.tag)
	return Layout{Index: indexOf(md), Blobs: []blob{config, layer, manifest}, Root: md}, nil
}

// Index builds a multi-arch image: one manifest per architecture of binaries (o.Arch is not
// used), an image index listing them in architecture order, and the layout whose index.json
// names that image index. The image index carries no name, so its digest depends only on
// the binaries and the options.
func Index(binaries map[string][]byte, o Options) (Layout, error) {
	arches := make([]string, 0, len(binaries))
	for a := range binaries {
		arches = append(arches, a)
	}
	sort.Strings(arches)
	if len(arches) == 0 {
		return Layout{}, fmt.Errorf("no binaries")
	}
	var descs []descriptor
	var blobs []blob
	var c checked
	for _, arch := range arches {
		o.Arch = arch
		var err error
		if c, err = o.check(); err != nil {
			return Layout{}, err
		}
		layerTar, err := layerOf(binaries[arch], c)
		if err != nil {
			return Layout{}, err
		}
		manifest, config, layer, err := buildManifest(layerTar, c)
		if err != nil {
			return Layout{}, err
		}
		md := manifest.desc
		md.Platform = &platform{Architecture: arch, OS: "linux"}
		descs = append(descs, md)
		blobs = append(blobs, config, layer, manifest)
	}
	index := newBlob(mediaIndex, indexOf(descs...))
	root := index.desc
	root.Annotations = refAnnotations(c.Name, c.tag)
	return Layout{Index: indexOf(root), Blobs: uniqueSorted(append(blobs, index)), Root: index.desc}, nil
}

// buildManifest makes the layer, the config and the manifest of one platform's image.
func buildManifest(layerTar []byte, c checked) (manifest, config, layer blob, err error) {
	diffID := sha256.Sum256(layerTar)
	if layer, err = gzipBlob(layerTar); err != nil {
		return
	}
	// Env and Cmd appear only when set, so the runtime image's config stays as it was.
	entrypoint := c.Entrypoint
	if len(entrypoint) == 0 {
		entrypoint = []string{c.Path}
	}
	runConfig := map[string]any{"User": c.User, "Entrypoint": entrypoint, "WorkingDir": "/"}
	if len(c.Env) > 0 {
		runConfig["Env"] = c.Env
	}
	if len(c.Cmd) > 0 {
		runConfig["Cmd"] = c.Cmd
	}
	created := epoch.Format(time.RFC3339)
	config = newBlob(mediaConfig, mustJSON(map[string]any{
		"created":      created,
		"architecture": c.Arch,
		"os":           "linux",
		"config":       runConfig,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + hex.EncodeToString(diffID[:])}},
		"history":      []map[string]any{{"created": created, "created_by": "startorder mkimage"}},
	}))
	manifest = newBlob(mediaManifest, mustJSON(map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaManifest,
		"config":        config.desc,
		"layers":        []descriptor{layer.desc},
	}))
	return
}

// gzipBlob compresses a layer with fixed settings: best compression, and no name and no
// time in the gzip header (compress/gzip writes OS "unknown").
func gzipBlob(layerTar []byte) (blob, error) {
	var out bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	gz.ModTime = time.Time{}
	gz.Write(layerTar)
	if err := gz.Close(); err != nil {
		return blob{}, err
	}
	return newBlob(mediaLayer, out.Bytes()), nil
}
