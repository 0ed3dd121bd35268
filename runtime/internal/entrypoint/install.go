package entrypoint

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Install implements "init [-run_dir D] DST": it clears the run directory D (when
// given) and copies the running binary to DST with mode 0555, through a temporary
// file in DST's directory and a rename.
func Install(dst, runDir string, log io.Writer) error {
	if runDir != "" {
		if err := PrepareRunDir(runDir, log); err != nil {
			return err
		}
	}
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		exe, eerr := os.Executable()
		if eerr != nil {
			return &IOError{Op: "init: find own binary", Err: err}
		}
		if src, err = os.Open(exe); err != nil {
			return &IOError{Op: "init: open own binary", Err: err}
		}
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return &IOError{Op: "init " + dst, Err: err}
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(0o555)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return &IOError{Op: "init " + dst, Err: err}
	}
	return nil
}

// PrepareRunDir empties the run directory, so that no status of a previous run of the
// pod survives (Kubernetes' RestartAllContainers restarts every container in place and
// keeps emptyDirs), and makes it 1777: with the sticky bit, a container can create its
// own status directory there but cannot remove or rename another's.
//
// An entry that cannot be removed (files of another UID in a directory that is not
// ours) is renamed out of the way to .startorder-stale-*, which no wrapper reads. A
// run directory whose mode cannot be set (chmod needs its owner; an emptyDir belongs
// to root) is used as it is, with one line on stderr.
func PrepareRunDir(dir string, log io.Writer) error {
	if err := mkdirAll(dir, 0o755); err != nil {
		return &IOError{Op: "init -run_dir " + dir, Err: err}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &IOError{Op: "init -run_dir " + dir, Err: err}
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if len(e.Name()) > 18 && e.Name()[:18] == ".startorder-stale-" {
			os.RemoveAll(p) // best effort: left over from an earlier clearing
			continue
		}
		if os.RemoveAll(p) == nil {
			continue
		}
		trash := filepath.Join(dir, fmt.Sprintf(".startorder-stale-%d-%d", os.Getpid(), time.Now().UnixNano()))
		if err := os.Rename(p, trash); err != nil {
			return &IOError{Op: "init -run_dir: cannot remove or move away " + p, Err: err}
		}
		os.RemoveAll(trash)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		fmt.Fprintf(log, "startorder-entrypoint: init: cannot make %s sticky (mode 1777): %v; containers can rename each other's status directories (see runtime/README.md, Trust)\n", dir, err)
	}
	return nil
}
