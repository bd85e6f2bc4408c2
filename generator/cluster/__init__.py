"""A single-node Kubernetes cluster with Argo's controller and server on this machine, for tests and the demo.

Every part is built here from pinned Go modules (`tools/cluster`: etcd, the Kubernetes control plane, kubelet and
kube-proxy, Argo's workflow-controller, server and executor) and runs as a local process; pods run under the real
kubelet with Debian's containerd and CNI plugins, on a bridge of the machine's own. See docs/CLUSTER.md.
May import `generator.localstack` (process helpers), `generator.image` (the project's image names),
`argo_toolset.podman` (podman settings), `generator.specs` (the controller setting the generated pods need) and
`argo_toolset.runner.pods.in_image` (opening the warehouse to the pods' user, one rule for both ways of running
pods); within `generator`, only `generator.commands` imports it. It stays on the generator side of the Argo
toolset because of that project glue (docs/ARCHITECTURE.md §4).
"""
