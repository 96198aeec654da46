// Command etcd is upstream etcd (go.etcd.io/etcd/server/v3/etcdmain) at the version
// that k8s.io/kubernetes requires, built from the same module graph as kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
