"""A single-node Kubernetes cluster with Argo's controller and server on this machine, for tests and the demo.

Every part is built here from a pinned Go module (the project's, `ClusterSettings.module_dir`: etcd, the
Kubernetes control plane, kubelet and kube-proxy, Argo's workflow-controller, server and executor) and runs as a
local process; pods run under the real kubelet with Debian's containerd and CNI plugins, on a bridge of the
machine's own. See docs/CLUSTER.md.
Imports only the toolset's own `processes` (start and stop its parts by PID), `podman` (podman settings) and
`runner.pods.in_image` (opening the warehouse to the pods' user, one rule for both ways of running pods). The
project's glue (its name, images, Go module, programs folder and controller setting: `settings.ClusterSettings`) is
passed in by the project's commands that run it.
"""
