// pause is the process of a pod sandbox: it holds the pod's namespaces open, reaps the
// orphans it inherits as the pod's PID 1, and exits on SIGINT or SIGTERM. No registry is
// reachable here, so the node's sandbox image is built from this (tests/node_images.py).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		for { // every exited child, not just the one that signalled: signals coalesce
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
