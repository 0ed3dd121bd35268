// Package bench measures startorder-entrypoint: the latency of one dependency hop, the
// binary's size and the wrapper's memory. Run it with bench/run.sh, which prints a
// Markdown table; see BENCHMARKS.runtime.md for results.
package bench

import (
	"encoding/json"
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
	if p := os.Getenv("STARTORDER_BENCH_WRAPPER"); p != "" {
		// Another build of the wrapper (say, an earlier commit's), for a comparison
		// under the same machine load.
		return p, filepath.Join(binDir, "stamp")
	}
	return filepath.Join(binDir, "startorder-entrypoint"), filepath.Join(binDir, "stamp")
}

// tektonEntrypoint is Tekton's real entrypoint, built by tekton/build.sh:
// $STARTORDER_TEKTON_ENTRYPOINT or the cached v1.0.0 build.
func tektonEntrypoint(b *testing.B) string {
	p := os.Getenv("STARTORDER_TEKTON_ENTRYPOINT")
	if p == "" {
		home, _ := os.UserHomeDir()
		p = filepath.Join(home, ".cache", "startorder", "tekton-v1.0.0", "entrypoint")
	}
	if _, err := os.Stat(p); err != nil {
		b.Skipf("skipped: Tekton's entrypoint is not built (%v); run tekton/build.sh", err)
	}
	return p
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
// timestamp) and, for startorder-entrypoint, until the wrapper recorded "started". Run
// inotify and poll10ms with -benchtime=1000x, tekton with -benchtime=20x: "tekton" is
// Tekton's real entrypoint (v1.0.0) on the same wait_file.
func BenchmarkHop(b *testing.B) {
	for _, m := range hopModes {
		b.Run(m.name, func(b *testing.B) {
			wrapper, stamp := binaries(b)
			if m.tekton {
				wrapper = tektonEntrypoint(b)
			}
			root := b.TempDir()
			child := make([]time.Duration, 0, b.N)
			started := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, s := oneHop(b, m, wrapper, stamp, filepath.Join(root, strconv.Itoa(i)))
				child, started = append(child, c), append(started, s)
			}
			b.StopTimer()
			reportHops(b, child, started)
		})
	}
}

// hopMode is a waiter under test.
type hopMode struct {
	name string
	env  []string
	// the ready file appears between min and min+spread after the wrapper starts
	min, spread time.Duration
	tekton      bool
}

var hopModes = []hopMode{
	{"inotify", nil, 20 * time.Millisecond, 20 * time.Millisecond, false},
	{"poll10ms", []string{"STARTORDER_WAIT=poll", "STARTORDER_POLL_INTERVAL=10ms"}, 20 * time.Millisecond, 20 * time.Millisecond, false},
	{"tekton", nil, 100 * time.Millisecond, time.Second, true},
}

// oneHop runs one wrapper in dir, makes its dependency ready, and returns the time
// until its child ran and until the wrapper recorded that it started the child.
func oneHop(b *testing.B, m hopMode, wrapper, stamp, dir string) (child, started time.Duration) {
	os.MkdirAll(dir+"/dep", 0o755)
	os.MkdirAll(dir+"/self", 0o755)
	args := []string{"-wait_file", dir + "/dep/ready", "-status_dir", dir + "/self", "-termination_path", dir + "/term"}
	if m.tekton {
		args = []string{"-wait_file", dir + "/dep/ready", "-post_file", dir + "/self/post", "-termination_path", dir + "/term"}
	}
	cmd := exec.Command(wrapper, append(args, "-entrypoint", stamp, "--", dir+"/child")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), m.env...)
	cmd.Env = append(cmd.Env, "HOME="+dir)
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
	child = time.Duration(readNanos(b, dir+"/child") - t0)
	started = time.Duration(startedAt(b, dir+"/term") - t0)
	os.RemoveAll(dir)
	return child, started
}

func reportHops(b *testing.B, child, started []time.Duration) {
	reportSamples(b, "hops", "started", started, "child", child)
}

// reportSamples reports how many samples there are, the p50 and p99 of the first kind,
// and the p50, p99 and maximum of the second (the one the tables lead with).
func reportSamples(b *testing.B, count, firstName string, first []time.Duration, secondName string, second []time.Duration) {
	slices.Sort(first)
	slices.Sort(second)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(len(second)), count)
	b.ReportMetric(ms(percentile(first, 0.50)), firstName+"-p50-ms")
	b.ReportMetric(ms(percentile(first, 0.99)), firstName+"-p99-ms")
	b.ReportMetric(ms(percentile(second, 0.50)), secondName+"-p50-ms")
	b.ReportMetric(ms(percentile(second, 0.99)), secondName+"-p99-ms")
	b.ReportMetric(ms(second[len(second)-1]), secondName+"-max-ms")
}

// startedAt reads the time the wrapper started its child from its termination
// message: ours is an object with "started" (nanoseconds), Tekton's an array with a
// "StartedAt" entry (milliseconds).
func startedAt(b *testing.B, p string) int64 {
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	var v string
	var ours struct{ Started string }
	var theirs []struct{ Key, Value string }
	if json.Unmarshal(data, &ours) == nil && ours.Started != "" {
		v = ours.Started
	} else if json.Unmarshal(data, &theirs) == nil {
		for _, r := range theirs {
			if r.Key == "StartedAt" {
				v = r.Value
			}
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		b.Fatalf("%s: %v (%s)", p, err, data)
	}
	return ts.UnixNano()
}
