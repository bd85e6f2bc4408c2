"""Every enumerated value the config accepts and a step option takes: one tuple each, read by both sides."""

from __future__ import annotations

# hive.auth -> --hive-auth / HIVE_AUTH: PyHive's auth modes.
HIVE_AUTH_MODES = ("NONE", "NOSASL", "LDAP", "CUSTOM", "KERBEROS")
# input.on_empty -> score --on-empty: an empty input partition fails the run, or skips the write.
ON_EMPTY = ("fail", "skip")
# spark.file_io -> score --file-io: the direct Parquet path when the input allows it, or Spark's own.
FILE_IO = ("auto", "spark")
# alerts.notify_on -> report --notify-on: the kinds of run an alert is sent for.
ALERT_KINDS = ("failure", "warning", "success")
