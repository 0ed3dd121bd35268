// Command ocibuild writes a single-layer OCI image-layout tarball around one
// static binary, for importing with
//
//	ctr --address SOCK -n k8s.io images import OUT.tar
//
// There is no registry in the e2e environment, so every image the cluster
// runs (the pause/sandbox image and the test workload) is made by this tool.
//
// The layer holds the binary, an empty /tmp (mode 1777), and minimal
// /etc/passwd and /etc/group files naming the non-root user 65532, which is
// also the image's default user (numeric, so runAsNonRoot can be verified).
//
// Usage:
//
//	ocibuild -name localhost/startorder/pause:e2e -binary ./pause -path /pause -o pause.tar
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

const (
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayerGz  = "application/vnd.oci.image.layer.v1.tar+gzip"
)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *platform         `json:"platform,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	var (
		name    = flag.String("name", "", "image reference, e.g. localhost/startorder/pause:e2e (required)")
		binary  = flag.String("binary", "", "static binary to put in the image (required)")
		path    = flag.String("path", "", "path of the binary inside the image (default /<basename of -binary>)")
		user    = flag.String("user", "65532:65532", "image config User (numeric uid:gid)")
		out     = flag.String("o", "", "output tarball (required)")
		arch    = flag.String("arch", runtime.GOARCH, "image architecture")
		envs    stringList
		cmdArgs stringList
	)
	flag.Var(&envs, "env", "KEY=VALUE for the image config (repeatable)")
	flag.Var(&cmdArgs, "cmd", "default argument (image Cmd), repeatable")
	flag.Parse()
	if *name == "" || *binary == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *path == "" {
		parts := strings.Split(*binary, "/")
		*path = "/" + parts[len(parts)-1]
	}
	if err := build(*name, *binary, *path, *user, *arch, envs, cmdArgs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// layerTar returns the uncompressed layer.
func layerTar(binPath string, bin []byte, user string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	uid := strings.SplitN(user, ":", 2)[0]
	gid := uid
	if p := strings.SplitN(user, ":", 2); len(p) == 2 {
		gid = p[1]
	}
	dirs := map[string]bool{}
	addDir := func(p string, mode int64) error {
		if dirs[p] {
			return nil
		}
		dirs[p] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: mode, ModTime: epoch, Format: tar.FormatPAX})
	}
	addFile := func(p string, mode int64, data []byte) error {
		// parent directories first
		segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
		for i := 1; i < len(segs); i++ {
			if err := addDir(strings.Join(segs[:i], "/"), 0o755); err != nil {
				return err
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(p, "/"), Mode: mode, Size: int64(len(data)), ModTime: epoch, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := addDir("tmp", 0o1777); err != nil {
		return nil, err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/tmp:/sbin/nologin\n", uid, gid)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%s:\n", gid)
	if err := addFile("/etc/passwd", 0o644, []byte(passwd)); err != nil {
		return nil, err
	}
	if err := addFile("/etc/group", 0o644, []byte(group)); err != nil {
		return nil, err
	}
	if err := addFile(binPath, 0o755, bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func build(name, binary, binPath, user, arch string, envs, cmdArgs []string, out string) error {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	layer, err := layerTar(binPath, bin, user)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	if _, err := zw.Write(layer); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	layerGz := gz.Bytes()

	env := append([]string{"PATH=/usr/local/bin:/usr/bin:/bin"}, envs...)
	cfg := map[string]any{
		"architecture": arch,
		"os":           "linux",
		"created":      "1970-01-01T00:00:00Z",
		"config": map[string]any{
			"User":       user,
			"Env":        env,
			"Entrypoint": []string{binPath},
			"Cmd":        cmdArgs,
			"WorkingDir": "/",
		},
		"rootfs": map[string]any{
			"type":     "layers",
			"diff_ids": []string{digestOf(layer)},
		},
		"history": []map[string]any{{"created": "1970-01-01T00:00:00Z", "created_by": "startorder ocibuild " + binPath}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	manifest := map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaTypeManifest,
		"config":        descriptor{MediaType: mediaTypeConfig, Digest: digestOf(cfgJSON), Size: int64(len(cfgJSON))},
		"layers":        []descriptor{{MediaType: mediaTypeLayerGz, Digest: digestOf(layerGz), Size: int64(len(layerGz))}},
	}
	manJSON, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	tag := name
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		tag = name[i+1:]
	}
	index := map[string]any{
		"schemaVersion": 2,
		"mediaType":     mediaTypeIndex,
		"manifests": []descriptor{{
			MediaType: mediaTypeManifest,
			Digest:    digestOf(manJSON),
			Size:      int64(len(manJSON)),
			Annotations: map[string]string{
				"io.containerd.image.name":          name,
				"org.opencontainers.image.ref.name": tag,
			},
			Platform: &platform{Architecture: arch, OS: "linux"},
		}},
	}
	idxJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}

	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(out + ".tmp")
	tw := tar.NewWriter(f)
	epoch := time.Unix(0, 0)
	write := func(p string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755, ModTime: epoch}); err != nil {
			return err
		}
	}
	blob := func(b []byte) string { return "blobs/sha256/" + strings.TrimPrefix(digestOf(b), "sha256:") }
	for _, e := range []struct {
		p string
		b []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{blob(layerGz), layerGz},
		{blob(cfgJSON), cfgJSON},
		{blob(manJSON), manJSON},
		{"index.json", idxJSON},
	} {
		if err := write(e.p, e.b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(out+".tmp", out)
}
