// Linux process handling for Argo's emissary executor, added to our build copy of Argo's module: the published
// module v4.0.5 ships the package's darwin and windows variants but no Linux one, so `argoexec` does not compile
// for Linux from it. Written for this project after the package's other variants (same functions, same meaning).
package osspecific

import (
	"os"
	"syscall"
	"time"

	"github.com/argoproj/argo-workflows/v4/util/errors"
)

// Term is the signal the emissary forwards to stop the main process.
var Term = syscall.SIGTERM

// CanIgnoreSignal: child-exit and Go's preemption signals are not for the main process.
func CanIgnoreSignal(s os.Signal) bool {
	return s == syscall.SIGCHLD || s == syscall.SIGURG
}

// Kill signals the process group of pid (the main process and what it started), or pid alone without one.
func Kill(pid int, s syscall.Signal) error {
	if group, err := syscall.Getpgid(pid); err == nil {
		return syscall.Kill(-group, s)
	}
	return syscall.Kill(pid, s)
}

// Setpgid starts the command in a process group of its own, so Kill reaches its children too.
func Setpgid(attributes *syscall.SysProcAttr) {
	attributes.Setpgid = true
}

// Wait reaps every child (the emissary may be PID 1 of its container: orphans become its children, as under
// Kubernetes' pause) until the main process exits, and returns its exit as Argo's exit error.
func Wait(process *os.Process) error {
	pid := process.Pid
	if err := process.Release(); err != nil {
		return err
	}
	for {
		var status syscall.WaitStatus
		reaped, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if err != nil {
			return err
		}
		if reaped == pid {
			switch {
			case status.Exited():
				return errors.NewExitErr(status.ExitStatus())
			case status.Signaled():
				return errors.NewExitErr(128 + int(status.Signal()))
			}
		}
		if reaped <= 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
}
