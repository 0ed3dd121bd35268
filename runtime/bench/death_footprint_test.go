package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Death detection and footprint: how fast a waiter learns that its dependency died, and the wrapper's size and memory.

// BenchmarkDeathDetection measures how long after a dependency's wrapper is SIGKILLed
// its dependent knows it, b.N kills: wrapper A (-status_dir a) runs a long child; B
// waits with -wait_status a/exited, which a death satisfies (lock present, not held).
// Two samples per kill, from just before kill(2): "known", B's own "started" time from
// its termination message (B learned of the death and forked its child), and "detect",
// B's child's first timestamp (that child also ran). Run with -benchtime=1000x.
func BenchmarkDeathDetection(b *testing.B) {
	wrapper, stamp := binaries(b)
	root := b.TempDir()
	lat := make([]time.Duration, 0, b.N)
	known := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(root, strconv.Itoa(i))
		os.MkdirAll(dir, 0o755)
		a := exec.Command(wrapper, "-status_dir", dir+"/a", "-entrypoint", stamp, "--", dir+"/a-child", "1h")
		if err := a.Start(); err != nil {
			b.Fatal(err)
		}
		waitFor(b, dir+"/a-child")
		w := exec.Command(wrapper, "-wait_status", dir+"/a/exited", "-status_dir", dir+"/b", "-termination_path", dir+"/b-term", "-entrypoint", stamp, "--", dir+"/b-child")
		if err := w.Start(); err != nil {
			b.Fatal(err)
		}
		waitFor(b, dir+"/b/lock")
		time.Sleep(time.Duration(5+rand.Int64N(10)) * time.Millisecond) // B is blocked in its wait
		if _, err := os.Stat(dir + "/b-child"); err == nil {
			b.Fatal("B did not wait")
		}
		t0 := time.Now().UnixNano()
		a.Process.Signal(syscall.SIGKILL)
		if err := w.Wait(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Duration(readNanos(b, dir+"/b-child")-t0))
		known = append(known, time.Duration(startedAt(b, dir+"/b-term")-t0))
		a.Wait()
		// A's child (its own process group) would die with its container; here it is
		// killed by hand.
		if pid := childPid(dir + "/a"); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		os.RemoveAll(dir)
	}
	b.StopTimer()
	reportSamples(b, "kills", "known", known, "detect", lat)
}

// childPid finds the long-running child of a killed wrapper through /proc (the child
// whose command line names dir's a-child file).
func childPid(statusDir string) int {
	want := filepath.Join(filepath.Dir(statusDir), "a-child")
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && strings.Contains(string(b), want+"\x001h") {
			return pid
		}
	}
	return 0
}

func waitFor(b *testing.B, p string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(p); err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s never appeared", p)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// vmRSS reads VmRSS (kB) from /proc/<pid>/status.
func vmRSS(b *testing.B, pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// BenchmarkFootprint reports the release binary's size and the wrapper's resident
// memory while it waits for a dependency and while it supervises a running child, for
// startorder-entrypoint and for Tekton's real entrypoint.
func BenchmarkFootprint(b *testing.B) {
	for _, impl := range []string{"startorder", "tekton"} {
		b.Run(impl, func(b *testing.B) {
			wrapper, stamp := binaries(b)
			if impl == "tekton" {
				wrapper = tektonEntrypoint(b)
			}
			fi, err := os.Stat(wrapper)
			if err != nil {
				b.Fatal(err)
			}
			var waiting, supervising float64
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				os.MkdirAll(dir+"/dep", 0o755)
				args := []string{"-wait_file", dir + "/dep/ready", "-status_dir", dir + "/self", "-ready_tcp", "127.0.0.1:1", "-ready_period", "50ms"}
				if impl == "tekton" {
					args = []string{"-wait_file", dir + "/dep/ready", "-post_file", dir + "/post", "-termination_path", dir + "/term"}
				}
				cmd := exec.Command(wrapper, append(args, "-entrypoint", stamp, "--", dir+"/child", "3s")...)
				cmd.Dir, cmd.Env = dir, append(os.Environ(), "HOME="+dir)
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				time.Sleep(300 * time.Millisecond)
				waiting = max(waiting, vmRSS(b, cmd.Process.Pid))
				os.WriteFile(dir+"/dep/ready", []byte("x"), 0o644)
				time.Sleep(1500 * time.Millisecond) // Tekton polls once a second; then the child runs
				if _, err := os.Stat(dir + "/child"); err != nil {
					b.Fatal("the child did not run yet")
				}
				supervising = max(supervising, vmRSS(b, cmd.Process.Pid))
				cmd.Wait()
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(fi.Size()), "binary-bytes")
			b.ReportMetric(waiting/1024, "rss-waiting-MB")
			b.ReportMetric(supervising/1024, "rss-supervising-MB")
		})
	}
}
