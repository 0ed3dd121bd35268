package entrypoint

import (
	"io"
	"os"
	"path/filepath"
)

// Install implements "init DST": it copies the running binary to DST with mode 0555,
// through a temporary file in DST's directory and a rename.
func Install(dst string) error {
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
