package goldens

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The wrapper's paths in a rewritten pod (docs/CONTRACT.md): the copy in app
// containers, the binary in the runtime image that the init container runs, and
// that binary where the runtime image is mounted as an image volume at
// /startorder/bin (runtime.delivery image: no copy, no init container).
const (
	WrapperPath = "/startorder/bin/entrypoint"
	ImagePath   = "/startorder-entrypoint"
	MountedPath = "/startorder/bin" + ImagePath
)

// Invocation is one call of the wrapper in a manifest: a container or probe whose
// command starts with the wrapper.
type Invocation struct {
	File string
	Path string   // where in the file, e.g. doc 0 .spec.containers[1]
	Name string   // the container's name ("" for a probe)
	Argv []string // command then args, the wrapper's path first
}

// ReadFile reads the invocations of a golden output: JSON by its extension, YAML
// otherwise. It also checks itself: every time one of the wrapper's paths appears in
// the text as a word, it must be part of an invocation it found.
func ReadFile(path string) ([]Invocation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var docs []any
	if strings.HasSuffix(path, ".json") {
		var doc any
		err = json.Unmarshal(b, &doc)
		docs = []any{doc}
	} else {
		docs, err = ParseYAML(string(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var out []Invocation
	for i, d := range docs {
		if err := walk(d, "doc "+strconv.Itoa(i)+" ", &out); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	for i := range out {
		out[i].File = path
	}
	if found, inText := mentions(out), wrapperWord.FindAllIndex(b, -1); found != len(inText) {
		return nil, fmt.Errorf("%s: the wrapper's paths appear %d times in the text but %d times in the %d invocations found: the reader missed some", path, len(inText), found, len(out))
	}
	return out, nil
}

// wrapperWord is one of the wrapper's paths as a word of its own.
var wrapperWord = regexp.MustCompile(`(?m)(?:^|[\s\[,"'])(?:` + regexp.QuoteMeta(WrapperPath) + `|` + regexp.QuoteMeta(ImagePath) + `|` + regexp.QuoteMeta(MountedPath) + `)(?:$|[\s\],"'])`)

func mentions(invs []Invocation) int {
	n := 0
	for _, inv := range invs {
		for _, a := range inv.Argv {
			if a == WrapperPath || a == ImagePath || a == MountedPath {
				n++
			}
		}
	}
	return n
}

// walk finds the invocations under v; at is the path of v.
func walk(v any, at string, out *[]Invocation) error {
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			if err := walk(x, at+"["+strconv.Itoa(i)+"]", out); err != nil {
				return err
			}
		}
	case map[string]any:
		inv, ok, err := invocation(v, at)
		if err != nil {
			return err
		}
		if ok {
			*out = append(*out, inv)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := walk(v[k], at+"."+k, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// invocation reads the argv of m when its command starts with the wrapper.
func invocation(m map[string]any, at string) (Invocation, bool, error) {
	cmd, _ := m["command"].([]any)
	if len(cmd) == 0 || (cmd[0] != WrapperPath && cmd[0] != ImagePath && cmd[0] != MountedPath) {
		return Invocation{}, false, nil
	}
	argv, err := strings_(cmd, at+".command")
	if err != nil {
		return Invocation{}, false, err
	}
	if a, ok := m["args"]; ok && a != nil {
		list, ok := a.([]any)
		if !ok {
			return Invocation{}, false, fmt.Errorf("%s.args is not a list", at)
		}
		rest, err := strings_(list, at+".args")
		if err != nil {
			return Invocation{}, false, err
		}
		argv = append(argv, rest...)
	}
	name, _ := m["name"].(string)
	return Invocation{Path: at, Name: name, Argv: argv}, true, nil
}

func strings_(list []any, at string) ([]string, error) {
	out := make([]string, len(list))
	for i, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%s[%d] is not a string: %v", at, i, x)
		}
		out[i] = s
	}
	return out, nil
}
