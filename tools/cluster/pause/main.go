// Command pause is the sandbox process of every pod on the loopback cluster's node: it holds the pod's
// namespaces, reaps orphans (it is the pod's PID 1) and exits on SIGTERM or SIGINT.
// containerd would otherwise pull registry.k8s.io/pause, which these machines cannot reach.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			return
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
