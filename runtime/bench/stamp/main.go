// Command stamp is the benchmark's child: the first thing it does is write the current
// time (Unix nanoseconds) to the file named by its first argument. An optional second
// argument is a duration to stay alive afterwards (for the RSS measurement).
package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	now := time.Now().UnixNano()
	if len(os.Args) < 2 {
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], []byte(strconv.FormatInt(now, 10)), 0o644); err != nil {
		os.Exit(1)
	}
	if len(os.Args) > 2 {
		d, _ := time.ParseDuration(os.Args[2])
		time.Sleep(d)
	}
}
