"""Demo input: the breast-cancer sample patients loaded into Hive (`demo_raw.patients`), one partition per date."""

from __future__ import annotations

import datetime as dt

import numpy as np
from pyhive import hive

from demo.model import training_frame
from jobs.common.hive import HiveSettings, close_session

DATABASES = ("demo_raw", "demo_features", "demo_scores")
RAW_TABLE = "demo_raw.patients"
# Rows per INSERT statement: keeps each statement small for the Thrift server.
ROWS_PER_STATEMENT = 300


def day_frame(ds: str):
    """The patients as seen on day `ds`: the dataset with a small, date-seeded drift (so days differ)."""
    features, _ = training_frame()
    day = dt.date.fromisoformat(ds)  # also validates ds: only real dates reach the SQL below
    noise = np.random.default_rng(day.toordinal()).normal(0.0, 0.02, size=features.shape)
    drifted = (features * (1.0 + noise)).clip(lower=0.0)
    drifted.insert(0, "patient_id", np.arange(1, len(drifted) + 1, dtype="int64"))
    return drifted


def load_days(host: str, port: int, dates: list[str], username: str = "demo", auth: str = "NONE",
              password: str | None = None) -> int:
    """Create the demo databases and (re)load the raw partition of each date; return rows per day.

    `auth` and `password` as PyHive takes them: a password only with LDAP or CUSTOM (a stack started with
    `--hive-password-file`).
    """
    features, _ = training_frame()
    columns = ["patient_id", *features.columns]
    connection = hive.connect(host=host, port=port, auth=auth, username=username, password=password)
    try:
        cursor = connection.cursor()
        for database in DATABASES:
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS {database}")
        column_ddl = ", ".join(["patient_id BIGINT", *(f"{name} DOUBLE" for name in features.columns)])
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} ({column_ddl}) PARTITIONED BY (dt STRING) STORED AS PARQUET"
        )
        rows = 0
        for ds in dates:
            frame = day_frame(ds)[columns]
            rows = len(frame)
            for start in range(0, rows, ROWS_PER_STATEMENT):
                chunk = frame.iloc[start:start + ROWS_PER_STATEMENT]
                values = ",\n".join(
                    "(" + ", ".join([str(int(row[0])), *(repr(float(value)) for value in row[1:])]) + ")"
                    for row in chunk.itertuples(index=False)
                )
                # The first chunk replaces the partition (a re-run reloads it), the rest append to it.
                verb = "OVERWRITE" if start == 0 else "INTO"
                cursor.execute(f"INSERT {verb} TABLE {RAW_TABLE} PARTITION (dt = '{ds}') VALUES {values}")
        return rows
    finally:
        close_session(connection, HiveSettings(host, port))
