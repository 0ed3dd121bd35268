package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// run is the single-platform command line: -binary bin -out out with the options o.
func run(bin string, o Options, out string) error {
	return job{bin: bin, out: out, o: o}.run(io.Discard)
}

func TestRunChecksTheBinary(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x"), []byte("#!/bin/sh\n"), 0o755)
	amd, arm := Options{Arch: "amd64", Name: "a:b"}, Options{Arch: "arm64", Name: "a:b"}
	if err := run(filepath.Join(dir, "x"), amd, filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted a non-ELF file")
	}
	elf := make([]byte, 64)
	copy(elf, "\x7fELF")
	elf[18] = 183 // arm64
	os.WriteFile(filepath.Join(dir, "arm"), elf, 0o755)
	if err := run(filepath.Join(dir, "arm"), amd, filepath.Join(dir, "o.tar")); err == nil {
		t.Error("accepted an arm64 binary as amd64")
	}
	if err := run(filepath.Join(dir, "arm"), arm, filepath.Join(dir, "o.tar")); err != nil {
		t.Error(err)
	}
	if _, err := Image(elf, Options{Arch: "riscv64", Name: "a:b"}); err == nil {
		t.Error("accepted riscv64")
	}
}

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    job
		wantErr bool
	}{{
		name: "build.sh",
		args: []string{"-binary", "/w/startorder-entrypoint", "-arch", "arm64", "-name", "n:t", "-out", "/o.tar"},
		want: job{bin: "/w/startorder-entrypoint", out: "/o.tar", o: Options{Arch: "arm64", Name: "n:t", Path: "/startorder-entrypoint", User: "65532:65532"}},
	}, {
		name: "-o alias, path default from the binary, repeatable env and cmd",
		args: []string{"-binary", "d/pause", "-o", "p.tar", "-env", "A=1", "-cmd", "x", "-env", "B=2", "-cmd", "y", "-skeleton", "-user", "7"},
		want: job{bin: "d/pause", out: "p.tar", o: Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev", Path: "/pause", User: "7", Env: []string{"A=1", "B=2"}, Cmd: []string{"x", "y"}, Skeleton: true}},
	}, {
		name: "explicit path",
		args: []string{"-binary", "w", "-path", "/bin/w", "-o", "w.tar"},
		want: job{bin: "w", out: "w.tar", o: Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev", Path: "/bin/w", User: "65532:65532"}},
	}, {
		name: "-build: both architectures by default, path from the package",
		args: []string{"-build", "./cmd/startorder-entrypoint", "-name", "r/x:v1", "-layout", "L"},
		want: job{build: "./cmd/startorder-entrypoint", layout: "L", arches: []string{"amd64", "arm64"}, o: Options{Name: "r/x:v1", Path: "/startorder-entrypoint", User: "65532:65532"}},
	}, {
		name: "-build with -arch list, -out and -layout",
		args: []string{"-build", "./p", "-arch", "arm64", "-o", "x.tar", "-layout", "L"},
		want: job{build: "./p", out: "x.tar", layout: "L", arches: []string{"arm64"}, o: Options{Name: "docker.io/startorder/entrypoint:dev", Path: "/p", User: "65532:65532"}},
	},
		{
			name: "-root with -entrypoint",
			args: []string{"-root", "r", "-entrypoint", "/n", "-entrypoint", "/a.js", "-o", "f.tar"},
			want: job{root: "r", out: "f.tar", o: Options{Arch: "amd64", Name: "docker.io/startorder/entrypoint:dev", User: "65532:65532", Entrypoint: []string{"/n", "/a.js"}}},
		},
		{name: "no -out", args: []string{"-binary", "w"}, wantErr: true},
		{name: "no -binary", args: []string{"-o", "w.tar"}, wantErr: true},
		{name: "-root and -binary", args: []string{"-binary", "w", "-root", "r", "-o", "w.tar"}, wantErr: true},
		{name: "-binary and -build", args: []string{"-binary", "w", "-build", "./w", "-o", "w.tar"}, wantErr: true},
		{name: "-layout with -binary", args: []string{"-binary", "w", "-layout", "L"}, wantErr: true},
		{name: "stray argument", args: []string{"-binary", "w", "-o", "w.tar", "x"}, wantErr: true},
		{name: "unknown flag", args: []string{"-binary", "w", "-o", "w.tar", "-nope"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := parseArgs(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && fmt.Sprintf("%#v", j) != fmt.Sprintf("%#v", tc.want) {
				t.Errorf("got  %#v\nwant %#v", j, tc.want)
			}
		})
	}
}
