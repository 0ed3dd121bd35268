// Command etcd is the etcd server of the v1.35 e2e cluster, built from the
// go.etcd.io/etcd/server/v3 module pinned in ../../go.mod.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
