// Command funclen lists the functions of Go files longer than a limit, longest first,
// and the files longer than a limit: issue 10's size rules (about 60 lines a function,
// about 250 a file unless the file says why at its top).
//
//	go run ./internal/tools/funclen [-func 60] [-file 250] [-all] DIR...
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type span struct {
	where string
	name  string
	lines int
}

func main() {
	funcMax := flag.Int("func", 60, "report functions longer than this many lines")
	fileMax := flag.Int("file", 250, "report files longer than this many lines")
	all := flag.Bool("all", false, "list every function, not only the long ones")
	flag.Parse()
	roots := flag.Args()
	if len(roots) == 0 {
		roots = []string{"."}
	}
	funcs, files, err := measure(roots)
	if err != nil {
		fmt.Fprintln(os.Stderr, "funclen:", err)
		os.Exit(2)
	}
	long := 0
	for _, f := range funcs {
		if *all || f.lines > *funcMax {
			fmt.Printf("%4d  %s  %s\n", f.lines, f.where, f.name)
			if f.lines > *funcMax {
				long++
			}
		}
	}
	for _, f := range files {
		if f.lines > *fileMax {
			fmt.Printf("%4d  %s  (file)\n", f.lines, f.where)
			long++
		}
	}
	if long > 0 {
		os.Exit(1)
	}
}

// measure parses every .go file under roots and returns its functions and files,
// longest first.
func measure(roots []string) (funcs, files []span, err error) {
	fset := token.NewFileSet()
	for _, root := range roots {
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			files = append(files, span{where: path, lines: fset.File(f.Pos()).LineCount()})
			ast.Inspect(f, func(n ast.Node) bool {
				if s, ok := funcSpan(fset, path, n); ok {
					funcs = append(funcs, s)
				}
				return true
			})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	byLength := func(s []span) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].lines > s[j].lines })
	}
	byLength(funcs)
	byLength(files)
	return funcs, files, nil
}

// funcSpan measures a declared function or a function literal (a literal's lines
// also count in the function around it).
func funcSpan(fset *token.FileSet, path string, n ast.Node) (span, bool) {
	var name string
	var body *ast.BlockStmt
	switch fn := n.(type) {
	case *ast.FuncDecl:
		name, body = fn.Name.Name, fn.Body
		if fn.Recv != nil && len(fn.Recv.List) > 0 {
			name = recvName(fn.Recv.List[0].Type) + "." + name
		}
	case *ast.FuncLit:
		name, body = "func literal", fn.Body
	}
	if body == nil {
		return span{}, false
	}
	start := fset.Position(n.Pos())
	end := fset.Position(body.End())
	return span{where: fmt.Sprintf("%s:%d", path, start.Line), name: name, lines: end.Line - start.Line + 1}, true
}

func recvName(t ast.Expr) string {
	switch t := t.(type) {
	case *ast.StarExpr:
		return "*" + recvName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvName(t.X)
	}
	return "?"
}
