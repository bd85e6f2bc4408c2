# The image every generated step runs: `python -m jobs.<step>` with Spark (Java 17), MLflow and PyHive.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MLFLOW_DISABLE_TELEMETRY=true

# Java 17 runs Spark; procps gives Spark's scripts `ps`.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/argo-batch-scoring
COPY setup.cfg pyproject.toml README.md ./
COPY contract ./contract
COPY generator ./generator
COPY jobs ./jobs
RUN pip install '.[jobs]'

# A class-data-sharing archive of the classes a scoring run loads: every step's Spark driver JVM maps it and
# starts faster (jobs/common/jvm_archive.py; measured in docs/BENCHMARKS.md). Built here, against this image's
# JDK and jars, because the JVM ignores an archive made for any other.
RUN python -m jobs.common.jvm_archive /opt/argo-batch-scoring/spark-driver.jsa
ENV SPARK_CDS_ARCHIVE=/opt/argo-batch-scoring/spark-driver.jsa

# Non-root, with the UID/GID the generated pod securityContext asks for (generator/specs/pod.py RUN_AS).
# HOME is /tmp: the pods run with a read-only root filesystem and an emptyDir on /tmp.
RUN groupadd --gid 10001 scoring \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin scoring
USER 10001:10001
ENV HOME=/tmp
WORKDIR /tmp

# Spark's Kubernetes backend starts executor pods from this image with only the argument `executor`, and `master`
# or `worker <url>` start Spark standalone (jobs/entrypoint.py); anything else runs as given. The generated step
# templates name their own command, which replaces this ENTRYPOINT, so they do not change.
ENTRYPOINT ["python", "-m", "jobs.entrypoint"]
CMD ["python", "-m", "jobs.report", "--help"]
