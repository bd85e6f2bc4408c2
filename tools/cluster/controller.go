package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	wfclientset "github.com/argoproj/argo-workflows/v4/pkg/client/clientset/versioned"
	cmdutil "github.com/argoproj/argo-workflows/v4/util/cmd"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/controller"
)

// newWorkflowControllerCommand starts Argo's workflow controller as one instance (no leader election: the loopback
// cluster has exactly one). Argo's own main lives in a `package main` and cannot be imported, so this is ours,
// calling the controller package the same way with the flags the cluster needs.
func newWorkflowControllerCommand() *cobra.Command {
	var (
		kubeconfig, namespace, configMap, executorImage, executorPullPolicy, healthAddress string
		workflowWorkers                                                                    int
	)
	command := &cobra.Command{
		Use:   "workflow-controller",
		Short: "Argo's workflow controller (single instance)",
		RunE: func(c *cobra.Command, _ []string) error {
			// The controller passes its klog level on to every executor (`--gloglevel`), read from Go's flag set.
			cmdutil.SetGLogLevel(0)
			logger := logging.NewSlogLogger(logging.Info, logging.Text)
			// Stop on SIGTERM (`cluster down`): something in the controller's packages subscribes to it, so its
			// default action never runs.
			ctx, cancel := signal.NotifyContext(logging.WithLogger(c.Context(), logger), syscall.SIGTERM, os.Interrupt)
			defer cancel()
			config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
			if err != nil {
				return fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
			}
			config.QPS, config.Burst = 50, 100
			kubeClient := kubernetes.NewForConfigOrDie(config)
			workflowClient := wfclientset.NewForConfigOrDie(config)
			wfController, err := controller.NewWorkflowController(ctx, config, kubeClient, workflowClient, namespace, "",
				executorImage, executorPullPolicy, "text", configMap, false)
			if err != nil {
				return err
			}
			go wfController.Run(ctx, workflowWorkers, 2, 2, 2, 1)
			// Argo's handler reads its logger from the request's context, which LogMiddleware puts there.
			mux := http.NewServeMux()
			mux.Handle("/healthz", controller.LogMiddleware(logger, http.HandlerFunc(wfController.Healthz)))
			server := &http.Server{Addr: healthAddress, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-ctx.Done()
				_ = server.Close()
			}()
			if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	flags := command.Flags()
	flags.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the controller's identity")
	flags.StringVar(&namespace, "namespace", "argo", "namespace holding the controller's ConfigMap")
	flags.StringVar(&configMap, "configmap", "workflow-controller-configmap", "the controller's ConfigMap")
	flags.StringVar(&executorImage, "executor-image", "", "image of Argo's init and wait containers (argoexec)")
	flags.StringVar(&executorPullPolicy, "executor-image-pull-policy", "Never", "pull policy of the executor image")
	flags.StringVar(&healthAddress, "health-address", "127.0.0.1:6060", "address of /healthz")
	flags.IntVar(&workflowWorkers, "workflow-workers", 8, "workflows reconciled at once")
	return command
}
