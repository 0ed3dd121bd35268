// Package bench measures startorder-entrypoint: the latency of one dependency hop, the
// binary's size and the wrapper's memory. Run it with bench/run.sh, which prints a
// Markdown table; see BENCHMARKS.runtime.md for results.
package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildErr  error
	binDir    string
)

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// binaries builds the wrapper exactly like a release (CGO_ENABLED=0, -trimpath,
// -ldflags=-s -w) plus the stamping child.
func binaries(b *testing.B) (wrapper, stamp string) {
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "startorder-bench-")
		if buildErr != nil {
			return
		}
		for _, p := range [][2]string{{"startorder-entrypoint", "../cmd/startorder-entrypoint"}, {"stamp", "./stamp"}} {
			cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(binDir, p[0]), p[1])
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("%v: %s", err, out)
				return
			}
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return filepath.Join(binDir, "startorder-entrypoint"), filepath.Join(binDir, "stamp")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func readNanos(b *testing.B, p string) int64 {
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkHop measures one hop, b.N times: a wrapper waits for a dependency's ready
// file; the benchmark creates that file atomically (write + rename, as a wrapper does)
// at a random moment and measures until the dependent's child runs (the child's first
// timestamp) and until the wrapper recorded "started". Run inotify and poll10ms with
// -benchtime=1000x, tekton1s with -benchtime=20x.
func BenchmarkHop(b *testing.B) {
	modes := []struct {
		name string
		env  []string
		// the ready file appears between min and min+spread after the wrapper starts
		min, spread time.Duration
	}{
		{"inotify", nil, 20 * time.Millisecond, 20 * time.Millisecond},
		{"poll10ms", []string{"STARTORDER_WAIT=poll", "STARTORDER_POLL_INTERVAL=10ms"}, 20 * time.Millisecond, 20 * time.Millisecond},
		{"tekton1s", []string{"STARTORDER_WAIT=poll", "STARTORDER_POLL_INTERVAL=1s"}, 20 * time.Millisecond, time.Second},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			wrapper, stamp := binaries(b)
			root := b.TempDir()
			child := make([]time.Duration, 0, b.N)
			started := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(root, strconv.Itoa(i))
				os.MkdirAll(dir+"/dep", 0o755)
				cmd := exec.Command(wrapper, "-wait_file", dir+"/dep/ready", "-status_dir", dir+"/self",
					"-entrypoint", stamp, "--", dir+"/child")
				cmd.Env = append(os.Environ(), m.env...)
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				time.Sleep(m.min + time.Duration(rand.Int64N(int64(m.spread))))
				os.WriteFile(dir+"/dep/.ready.tmp", []byte("x"), 0o644)
				t0 := time.Now().UnixNano()
				os.Rename(dir+"/dep/.ready.tmp", dir+"/dep/ready")
				if err := cmd.Wait(); err != nil {
					b.Fatal(err)
				}
				child = append(child, time.Duration(readNanos(b, dir+"/child")-t0))
				st, err := os.ReadFile(dir + "/self/started")
				if err != nil {
					b.Fatal(err)
				}
				ts, err := time.Parse(time.RFC3339Nano, string(st))
				if err != nil {
					b.Fatal(err)
				}
				started = append(started, time.Duration(ts.UnixNano()-t0))
				os.RemoveAll(dir)
			}
			b.StopTimer()
			slices.Sort(child)
			slices.Sort(started)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(len(child)), "hops")
			b.ReportMetric(ms(percentile(started, 0.50)), "started-p50-ms")
			b.ReportMetric(ms(percentile(started, 0.99)), "started-p99-ms")
			b.ReportMetric(ms(percentile(child, 0.50)), "child-p50-ms")
			b.ReportMetric(ms(percentile(child, 0.99)), "child-p99-ms")
			b.ReportMetric(ms(child[len(child)-1]), "child-max-ms")
		})
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
// memory while it waits for a dependency and while it supervises a running child.
func BenchmarkFootprint(b *testing.B) {
	wrapper, stamp := binaries(b)
	fi, err := os.Stat(wrapper)
	if err != nil {
		b.Fatal(err)
	}
	var waiting, supervising float64
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		os.MkdirAll(dir+"/dep", 0o755)
		cmd := exec.Command(wrapper, "-wait_file", dir+"/dep/ready", "-status_dir", dir+"/self",
			"-ready_tcp", "127.0.0.1:1", "-ready_period", "50ms", "-entrypoint", stamp, "--", dir+"/child", "1s")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		waiting = max(waiting, vmRSS(b, cmd.Process.Pid))
		os.WriteFile(dir+"/dep/ready", []byte("x"), 0o644)
		time.Sleep(500 * time.Millisecond) // child running, readiness probe polling
		supervising = max(supervising, vmRSS(b, cmd.Process.Pid))
		cmd.Wait()
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(fi.Size()), "binary-bytes")
	b.ReportMetric(waiting/1024, "rss-waiting-MB")
	b.ReportMetric(supervising/1024, "rss-supervising-MB")
}
