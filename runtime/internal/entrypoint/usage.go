package entrypoint

import (
	"flag"
	"fmt"
	"io"
)

// Usage prints the command-line help.
func Usage(w io.Writer) {
	fmt.Fprint(w, `usage: startorder-entrypoint [flags] -entrypoint CMD -- ARGS...
       startorder-entrypoint init [-run_dir DIR] DST
       startorder-entrypoint status [-run_dir DIR]
       startorder-entrypoint probe file PATH | http URL [-header 'N: v' ...] | tcp HOST:PORT  [-timeout D]

flags:
`)
	var cfg Config
	fs := newFlagSet(&cfg, &parsed{})
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  -%s\n\t%s\n", f.Name, f.Usage)
	})
	fmt.Fprint(w, `
exit codes: the child's; 128+N child killed by signal N; 127 command not found;
126 not executable; 2 usage; 3 dependency failed or -wait_timeout; 4 wrapper I/O;
5 -ready_timeout; 124 -timeout.
`)
}
