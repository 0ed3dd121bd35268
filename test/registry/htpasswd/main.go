// Command htpasswd prints one line of an htpasswd file with a bcrypt hash, as
// `htpasswd -nbB USER PASSWORD` from apache2-utils does; the registry suite
// builds it so that it needs no Debian package.
//
//	htpasswd USER PASSWORD
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// cost is apache2-utils' default for -B; the registry accepts any cost.
const cost = 5

func main() {
	if len(os.Args) != 3 || os.Args[1] == "" || strings.Contains(os.Args[1], ":") {
		fmt.Fprintln(os.Stderr, "usage: htpasswd USER PASSWORD (USER without ':')")
		os.Exit(2)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(os.Args[2]), cost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "htpasswd:", err)
		os.Exit(1)
	}
	fmt.Printf("%s:%s\n", os.Args[1], hash)
}
