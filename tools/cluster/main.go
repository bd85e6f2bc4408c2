// Command platform is the loopback cluster's etcd, Kubernetes parts and Argo in one binary, one component per first
// argument.
//
// One binary (instead of one per component) links the shared Kubernetes packages once: the components are
// test-only parts of `generate-workflow cluster`, never shipped.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
	_ "time/tzdata" // CronWorkflow and CronJob time zones regardless of the host's zoneinfo

	argocli "github.com/argoproj/argo-workflows/v4/cmd/argo/commands"
	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	kubeproxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

// components maps the first argument to the program it runs; each returns the process exit code.
var components = map[string]func(args []string) int{
	"etcd": func(args []string) int {
		etcdmain.Main(append([]string{"etcd"}, args...))
		return 0
	},
	"kube-apiserver":          cobraMain(apiserver.NewAPIServerCommand),
	"kube-controller-manager": cobraMain(controllermanager.NewControllerManagerCommand),
	"kube-scheduler": cobraMain(func() *cobra.Command {
		return scheduler.NewSchedulerCommand()
	}),
	"kube-proxy": cobraMain(kubeproxy.NewProxyCommand),
	"kubelet": cobraMain(func() *cobra.Command {
		return kubelet.NewKubeletCommand()
	}),
	"workflow-controller": cobraMain(newWorkflowControllerCommand),
	// The argo CLI, whose `server` subcommand is the Argo Server (REST API the UI calls).
	"argo": func(args []string) int {
		command := argocli.NewCommand()
		command.SetArgs(args)
		if err := command.Execute(); err != nil {
			return 1
		}
		return 0
	},
}

// cobraMain runs a Kubernetes-style cobra command with component-base's logging and flag setup.
func cobraMain(newCommand func() *cobra.Command) func(args []string) int {
	return func(args []string) int {
		command := newCommand()
		command.SetArgs(args)
		return cli.Run(command)
	}
}

func main() {
	if len(os.Args) < 2 || components[os.Args[1]] == nil {
		names := make([]string, 0, len(components))
		for name := range components {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: %s COMPONENT [ARGS...]; components: %v\n", os.Args[0], names)
		os.Exit(2)
	}
	signal.Ignore(syscall.SIGHUP)
	os.Exit(components[os.Args[1]](os.Args[2:]))
}
