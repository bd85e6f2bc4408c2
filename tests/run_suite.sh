#!/usr/bin/env bash
# `make test`: every test, in two pytest processes side by side. The platform tests (tests/hadoop: HDFS, YARN and
# Hive 4; then tests/cluster: Kubernetes and Argo) run in one session with their own local stack and write to
# .run/platform-tests.log, printed at the end; the others print as they go. Exits 0 only when both passed.
# Why two: the platform tests wait on YARN, pods, the controller and schedules (and, on a fresh machine, on the
# cluster's Go build) for long stretches that the other tests' Spark and JVM starts can use (README, Tests).
set -u
cd "$(dirname "$0")/.."
python=${1:?usage: tests/run_suite.sh PYTHON}
platform=(tests/hadoop tests/cluster)
log=.run/platform-tests.log
mkdir -p .run
# The script waits on both, so an interrupt reaches it at once; it passes SIGTERM on (background processes of a script
# ignore SIGINT), which tests/conftest.py turns into pytest's interrupt: each session's teardown still runs.
"$python" -m pytest "${platform[@]}" > "$log" 2>&1 &
platform_tests=$!
"$python" -m pytest "${platform[@]/#/--ignore=}" &
other_tests=$!
trap 'kill -TERM "$platform_tests" "$other_tests" 2>/dev/null; wait; exit 130' INT TERM
wait "$other_tests"
others=$?
wait "$platform_tests"
platforms=$?
echo "================ ${platform[*]}, run beside the others (their log: $log) ================"
cat "$log"
echo "make test: the other tests exited $others, ${platform[*]} exited $platforms"
[ "$others" -eq 0 ] && [ "$platforms" -eq 0 ]
