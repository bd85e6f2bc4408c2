"""The Argo toolset: Argo Workflows understood offline, linted and run on one machine; a library, not this project.

`core` owns Argo's facts: the documents (strict YAML, kinds, names), the typed catalog (templates, parameters,
templateRef resolution, the one workflowTemplateRef merge), the variable vocabulary and the expr-lang tokenizer,
the DAG facts (`depends`, cycles) and the retry policies. `lint` judges documents as a cluster would, on `core`.
`runner` runs them on this machine, on `core`, checking with `lint` first: `checks/` (what is refused before
running), `expressions/` (Argo's expression languages), `execution/` (templates as the controller runs them) and
`pods/` (a step as a process or a podman container). `cluster` builds and runs Kubernetes with Argo's own
controller and server on this machine. Beside them: `errors` (UserError, `listed`), `podman` (this machine's
podman settings), `kube_rbac` (typed Kubernetes Role and RoleBinding), `processes` (processes by PID).
Imports nothing of this project (`generator`, `jobs`, `contract`): the project's glue (which services to check,
which folder to mount, how to build a missing image) is passed in by its CLI (tests/unit/test_import_boundaries.py).
"""
