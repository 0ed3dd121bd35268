// goyaml reads YAML documents the way kubectl and the apiserver do (sigs.k8s.io/yaml, go-yaml v2
// underneath) and prints them as JSON, so the TypeScript suite can check that what startorder writes
// means the same to a Go reader as to the `yaml` package. Input on stdin: a JSON array of documents
// (strings). Output: a JSON array of {"json": <value>} or {"error": "..."}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

type result struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goyaml:", err)
		os.Exit(2)
	}
	var docs []string
	if err := json.Unmarshal(in, &docs); err != nil {
		fmt.Fprintln(os.Stderr, "goyaml: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(docs))
	for _, d := range docs {
		j, err := yaml.YAMLToJSON([]byte(d))
		if err != nil {
			out = append(out, result{Error: err.Error()})
			continue
		}
		out = append(out, result{JSON: j})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "goyaml:", err)
		os.Exit(2)
	}
}
