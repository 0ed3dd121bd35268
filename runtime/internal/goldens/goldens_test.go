package goldens

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func parseOne(t *testing.T, src string) any {
	t.Helper()
	docs, err := ParseYAML(src)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if len(docs) != 1 {
		t.Fatalf("%d documents", len(docs))
	}
	return docs[0]
}

type m = map[string]any
type l = []any

func TestParseYAML(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      any
	}{
		{"block sequence in a mapping, compact", "a:\n- x\n- y\nb: z\n", m{"a": l{"x", "y"}, "b": "z"}},
		{"block sequence, indented", "a:\n  - x\n  - y\n", m{"a": l{"x", "y"}}},
		{"mappings in a sequence", "c:\n- name: a\n  image: i\n- name: b\n", m{"c": l{m{"name": "a", "image": "i"}, m{"name": "b"}}}},
		{"nested sequences", "- - a\n  - b\n- c\n", l{l{"a", "b"}, "c"}},
		{"comments", "# top\na: x # after\n# between\nb: 'y # not a comment'\n", m{"a": "x", "b": "y # not a comment"}},
		{"flow on one line", "a: [x, \"y z\", 'q''s', 127.0.0.1:80, http://h/p]\n", m{"a": l{"x", "y z", "q's", "127.0.0.1:80", "http://h/p"}}},
		{"flow over lines, trailing commas", "a: [{\n  name: \"n\",\n  args: [\n    x, # c\n    y,\n  ],\n}]\n", m{"a": l{m{"name": "n", "args": l{"x", "y"}}}}},
		{"flow mapping item", "- {name: a, command: [/bin/x], empty: , n: }\n", l{m{"name": "a", "command": l{"/bin/x"}, "empty": nil, "n": nil}}},
		{"double quotes: escapes", `a: "t\tq\"\u00e9\x41\\"` + "\n", m{"a": "t\tq\"éA\\"}},
		{"double quotes over lines", "a: \"one\n  two\n\n  three\\\n  four\\ five\"\n", m{"a": "one two\nthreefour five"}},
		{"single quotes over lines", "a: 'one\n  two'\n", m{"a": "one two"}},
		{"literal block", "a: |\n  x\n   y\n\n  z\nb: c\n", m{"a": "x\n y\n\nz\n", "b": "c"}},
		{"literal block, strip", "a: |-\n  x\n  y\n", m{"a": "x\ny"}},
		{"literal block, keep", "a: |+\n  x\n\n", m{"a": "x\n\n"}},
		{"folded block", "a: >\n  x\n  y\n\n  z\n", m{"a": "x y\nz\n"}},
		{"block scalar in a sequence", "- |\n  echo hi\n  exit 0\n- b\n", l{"echo hi\nexit 0\n", "b"}},
		{"plain scalar over lines", "a: one\n  two\nb: x\n", m{"a": "one two", "b": "x"}},
		{"anchors and aliases", "a: &x [1, 2]\nb: *x\nc: &y\n  k: v\nd: *y\n", m{"a": l{"1", "2"}, "b": l{"1", "2"}, "c": m{"k": "v"}, "d": m{"k": "v"}}},
		{"merge keys", "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", m{"base": m{"x": "1", "y": "2"}, "d": m{"x": "1", "y": "3"}}},
		{"quoted keys and tags", "\"a b\": !!str 1\n'c': d\n", m{"a b": "1", "c": "d"}},
		{"empty value", "a:\nb: x\n", m{"a": nil, "b": "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseOne(t, tc.src); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestParseYAMLDocuments(t *testing.T) {
	docs, err := ParseYAML("---\na: 1\n---\n# only a comment\nb: 2\n...\n--- # x\n- c\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{m{"a": "1"}, m{"b": "2"}, l{"c"}}; !reflect.DeepEqual(docs, want) {
		t.Fatalf("%#v", docs)
	}
}

// What the reader does not understand is an error, never a guess.
func TestParseYAMLErrors(t *testing.T) {
	for _, src := range []string{
		"a: [x, y\n",
		"a: \"open\n",
		"a: *nowhere\n",
		"a:\n  b: 1\n c: 2\n",
		"a: [x] y\n",
		"a: {b: [}\n",
	} {
		if docs, err := ParseYAML(src); err == nil {
			t.Errorf("%q: no error, got %#v", src, docs)
		}
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFile(t *testing.T) {
	p := writeTemp(t, "expected.yaml", `spec:
  initContainers:
  - name: startorder-init
    image: ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0
    command: [/startorder-entrypoint, init, /startorder/bin/entrypoint]
  containers:
  - name: app
    args: ["-status_dir", /startorder/run/app, --, x]
    command:
    - /startorder/bin/entrypoint
    startupProbe: {exec: {command: [/startorder/bin/entrypoint, probe, file, /x]}}
  - name: other
    command: [/bin/other]
`)
	invs, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inv := range invs {
		got = append(got, inv.Name+": "+strings.Join(inv.Argv, " "))
	}
	want := []string{
		"app: /startorder/bin/entrypoint -status_dir /startorder/run/app -- x",
		": /startorder/bin/entrypoint probe file /x",
		"startorder-init: /startorder-entrypoint init /startorder/bin/entrypoint",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
	j := writeTemp(t, "expected.json", `{"spec":{"containers":[{"name":"a","command":["/startorder/bin/entrypoint"],"args":["-entrypoint","x"]}]}}`)
	if invs, err := ReadFile(j); err != nil || len(invs) != 1 || invs[0].Argv[2] != "x" {
		t.Fatalf("%v %+v", err, invs)
	}
}

// A wrapper path the reader cannot place (here a command that is not a list) fails
// the read, so the contract test cannot silently see fewer invocations.
func TestReadFileCountsWhatItMisses(t *testing.T) {
	p := writeTemp(t, "expected.yaml", "containers:\n- name: a\n  command: /startorder/bin/entrypoint\n")
	if _, err := ReadFile(p); err == nil || !strings.Contains(err.Error(), "missed") {
		t.Fatalf("err = %v", err)
	}
}
