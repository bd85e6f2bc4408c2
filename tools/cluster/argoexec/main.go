// Command argoexec is Argo's executor (the init and wait containers of every step pod), built from Argo's module.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/argoproj/argo-workflows/v4/cmd/argoexec/commands"
	argoerrors "github.com/argoproj/argo-workflows/v4/util/errors"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	err := commands.NewRootCommand().ExecuteContext(ctx)
	if err == nil {
		return
	}
	var exited argoerrors.Exited
	if errors.As(err, &exited) && exited.ExitCode() >= 0 {
		os.Exit(exited.ExitCode())
	}
	_, _ = os.Stderr.WriteString(err.Error() + "\n")
	os.Exit(64)
}
