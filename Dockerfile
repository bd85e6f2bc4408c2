# The image every generated step runs: `python -m jobs.<step>` with Spark (Java 17), MLflow and PyHive.
# BASE_IMAGE: any Debian bookworm image with python3 (3.11) and its venv module. The default comes from a public
# registry; where none can be reached, `make base-image` makes localhost/argo-batch-scoring-base:bookworm with
# debootstrap and `make image` passes it (generator/image/).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

# Set by `make image` to the host's CA bundle, bind-mounted read-only for the build only (a TLS-intercepting
# proxy's CA is in it); empty on a normal build. Never copied into a layer.
ARG HOST_CA_BUNDLE=

# The project lives in a virtualenv: Debian's own python refuses system-wide pip installs, and the venv puts
# `python` (the generated templates' command) first on PATH on either base.
ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MLFLOW_DISABLE_TELEMETRY=true

# Java 17 runs Spark; procps gives Spark's scripts `ps`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: installing the project with no packages copied yet brings in every
# dependency, so a code change rebuilds only the layers from `COPY README.md` on. README.md is only the package's
# long description: an empty stand-in here keeps a doc edit from rebuilding this layer. constraints.txt pins every
# package to the version the tests ran with (`make setup` installs with the same file).
WORKDIR /opt/argo-batch-scoring
COPY setup.cfg pyproject.toml constraints.txt ./
RUN if [ -n "$HOST_CA_BUNDLE" ]; then export PIP_CERT="$HOST_CA_BUNDLE"; fi \
 && touch README.md \
 && python3 -m venv "$VIRTUAL_ENV" \
 && python -m pip install --upgrade pip \
 && python -m pip install -c constraints.txt '.[jobs]'

COPY README.md ./
COPY argo_toolset ./argo_toolset
COPY contract ./contract
COPY generator ./generator
COPY jobs ./jobs
RUN if [ -n "$HOST_CA_BUNDLE" ]; then export PIP_CERT="$HOST_CA_BUNDLE"; fi \
 && python -m pip install --no-deps --force-reinstall . && rm -rf build *.egg-info

# A class-data-sharing archive of the classes a scoring run loads: every step's Spark driver JVM maps it and
# starts faster (jobs/common/jvm_archive.py; measured in docs/BENCHMARKS.md). Built here, against this image's
# JDK and jars, because the JVM ignores an archive made for any other. SPARK_LOCAL_IP: the build container's
# hostname does not resolve, and Spark's driver would fail with UnknownHostException.
RUN SPARK_LOCAL_IP=127.0.0.1 python -m jobs.common.jvm_archive /opt/argo-batch-scoring/spark-driver.jsa
ENV SPARK_CDS_ARCHIVE=/opt/argo-batch-scoring/spark-driver.jsa

# Non-root, with the UID/GID the generated pod securityContext asks for (generator/specs/pod.py RUN_AS).
# HOME is /tmp: the pods run with a read-only root filesystem and an emptyDir on /tmp.
RUN groupadd --gid 10001 scoring \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin scoring
USER 10001:10001
# GIT_PYTHON_REFRESH: MLflow's git lookup warns at length in every step's log when the image has no git (it has none).
ENV HOME=/tmp \
    GIT_PYTHON_REFRESH=quiet
WORKDIR /tmp

# Spark's Kubernetes backend starts executor pods from this image with only the argument `executor`, and `master`
# or `worker <url>` start Spark standalone (jobs/entrypoint.py); anything else runs as given. The generated step
# templates name their own command, which replaces this ENTRYPOINT, so they do not change.
ENTRYPOINT ["python", "-m", "jobs.entrypoint"]
CMD ["python", "-m", "jobs.report", "--help"]
