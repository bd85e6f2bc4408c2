#!/usr/bin/env bash
# `make test`: every test, in two pytest processes side by side. tests/cluster (one session: the cluster and its own
# local stack) writes to .run/cluster-tests.log, printed at the end; the others print as they go. Exits 0 only when
# both passed. Why two: the cluster tests wait on pods, the controller and schedules for long stretches that the
# other tests' Spark and JVM starts can use (README, Tests, has the measured run times).
set -u
cd "$(dirname "$0")/.."
python=${1:?usage: tests/run_suite.sh PYTHON}
log=.run/cluster-tests.log
mkdir -p .run
# The script waits on both, so an interrupt reaches it at once; it passes SIGTERM on (background processes of a script
# ignore SIGINT), which tests/conftest.py turns into pytest's interrupt: each session's teardown still runs.
"$python" -m pytest tests/cluster > "$log" 2>&1 &
cluster_tests=$!
"$python" -m pytest --ignore=tests/cluster &
other_tests=$!
trap 'kill -TERM "$cluster_tests" "$other_tests" 2>/dev/null; wait; exit 130' INT TERM
wait "$other_tests"
others=$?
wait "$cluster_tests"
cluster=$?
echo "================ tests/cluster, run beside the others (its log: $log) ================"
cat "$log"
echo "make test: the other tests exited $others, tests/cluster exited $cluster"
[ "$others" -eq 0 ] && [ "$cluster" -eq 0 ]
