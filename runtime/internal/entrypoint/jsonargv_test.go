package entrypoint

import (
	"slices"
	"testing"
)

func TestParseJSONArgv(t *testing.T) {
	good := map[string][]string{
		`["a"]`:                 {"a"},
		` [ "a" , "b" ] `:       {"a", "b"},
		`["\ud83d\ude00\n\t/"]`: {"😀\n\t/"},
		`["\u0041\\\/"]`:        {`A\/`},
	}
	for in, want := range good {
		got, err := parseJSONArgv(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseJSONArgv(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{``, `[`, `["a"`, `["a",]`, `[1]`, `["a\x"]`, `["\u12"]`, "[\"\x01\"]", `[""]`, `{"a":1}`, "[\"\xff\"]"} {
		if got, err := parseJSONArgv(in); err == nil {
			t.Errorf("parseJSONArgv(%q) = %q, want an error", in, got)
		}
	}
}
