# One entry point for people and CI: `make demo` and `make test` set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CRD_DIR ?= ../shared/argo-crds/v4.1.2
# JVM class-data archive for the steps' Spark driver (jobs/common/jvm_archive.py): built by `setup`, read by every
# Spark session the steps, tests, demo and bench start from here; a missing one only makes JVM start slower.
JVM_ARCHIVE := $(abspath .run/jvm/spark-driver.jsa)
export SPARK_CDS_ARCHIVE := $(JVM_ARCHIVE)

.PHONY: setup test test-fast demo demo-cluster build check lint lock bench stack-up stack-down cluster-up \
	cluster-down clean base-image image argo-validate

# constraints.txt: the exact versions the tests ran with; the image installs with the same file (Dockerfile).
$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[jobs,dev]'
	touch $(STAMP)

## Re-resolve setup.cfg's ranges in a fresh virtualenv and write what pip chose to constraints.txt (then run the tests).
LOCK_VENV := .run/lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet '.[jobs,dev]'
	{ sed -n '1,2p' constraints.txt; $(LOCK_VENV)/bin/pip freeze --exclude-editable | grep -v '^argo-batch-scoring'; } \
		> constraints.txt.new && mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV) build *.egg-info

$(JVM_ARCHIVE): $(STAMP)
	mkdir -p $(dir $@)
	$(BIN)/python -m jobs.common.jvm_archive $@ > $(dir $@)build.log 2>&1 \
		|| (tail -20 $(dir $@)build.log; echo "no JVM class-data archive: Spark sessions start slower")

setup: $(STAMP) $(JVM_ARCHIVE)

## All tests, slow ones (real Hive/Spark/MLflow) included; tests/cluster in a second pytest process beside the others.
test: setup
	tests/run_suite.sh $(BIN)/python

## Unit, golden and CLI tests only (no services).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

## Start the local stack, register the demo model, load demo data, run the demo job for one date.
demo: setup
	$(BIN)/python -m demo

## The same demo through Argo's own controller on the cluster built here (docs/CLUSTER.md; root, podman, Go).
demo-cluster: setup image
	$(BIN)/python -m demo --cluster

build: $(STAMP)
	$(BIN)/generate-workflow build

check: $(STAMP)
	$(BIN)/generate-workflow build --check
	$(BIN)/generate-workflow lint workflows/ --crd-dir $(CRD_DIR)

## Argo's own offline lint (its Go module, tools/argo-validate) as .run/argo-validate; the tests build it too.
GO ?= $(or $(shell command -v go),/usr/local/go/bin/go)
argo-validate:
	cd tools/argo-validate && $(GO) build -trimpath -o ../../.run/argo-validate .

bench: setup
	$(BIN)/python -m bench

stack-up: $(STAMP)
	$(BIN)/generate-workflow stack up

stack-down: $(STAMP)
	$(BIN)/generate-workflow stack down

## A single-node Kubernetes cluster with Argo's controller and server (tools/cluster, docs/CLUSTER.md).
cluster-up: $(STAMP) image
	$(BIN)/generate-workflow cluster up

cluster-down: $(STAMP)
	$(BIN)/generate-workflow cluster down

## The image the steps run (generator/image/): podman, settings in argo_toolset/podman.py. BASE_IMAGE is the
## bookworm base `base-image` makes here (kept once made; FORCE=1 rebuilds); a machine that can pull from a
## registry may pass BASE_IMAGE=python:3.11-slim-bookworm instead. Stdlib python3 only: no virtualenv needed.
LOCAL_BASE_IMAGE := localhost/argo-batch-scoring-base:bookworm
BASE_IMAGE ?= $(LOCAL_BASE_IMAGE)
base-image:
	$(PYTHON) -m generator.image base-image $(if $(FORCE),--force)

image: $(if $(filter $(LOCAL_BASE_IMAGE),$(BASE_IMAGE)),base-image)
	$(PYTHON) -m generator.image image --base $(BASE_IMAGE)

clean:
	rm -rf $(VENV) .run build *.egg-info
