"""ds of a scheduled run across daylight-saving changes: the generated CronWorkflow, run with `--scheduled-time`.

The CronWorkflow is the generator's own (a job config with a schedule in the zone); the WorkflowTemplate it refers
to is replaced by one that only prints its ds, so nothing but the date arithmetic runs. The expected ds is
computed here independently: the scheduled instant's calendar date in the zone minus the offset, with zoneinfo.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from argo_toolset.runner import run_workflow
from contract import values
from generator.commands.run_local import run_local
from generator.config import load_job
from generator.errors import UserError
from generator.specs import documents

REPO = Path(__file__).resolve().parents[4]
# The days before, of and after each change in 2025 (Berlin: 30 March, 26 October; New York: 9 March, 2 November).
CHANGES = {
    "Europe/Berlin": [dt.date(2025, 3, 30), dt.date(2025, 10, 26)],
    "America/New_York": [dt.date(2025, 3, 9), dt.date(2025, 11, 2)],
}
TIMES = [dt.time(0, 30), dt.time(2, 30), dt.time(23, 30)]


def _job_documents(tmp_path: Path, zone: str, offset_days: int) -> list[dict]:
    """The generated CronWorkflow of a job scheduled in `zone`, and a stand-in template that prints its ds."""
    folder = tmp_path / f"conf-{zone.replace('/', '-')}-{offset_days}"
    (folder / "sql").mkdir(parents=True)
    (folder / "defaults.yaml").write_text((REPO / "conf" / "defaults.yaml").read_text())
    (folder / "sql" / "churn_features.sql").write_text((REPO / "conf" / "sql" / "churn_features.sql").read_text())
    job_text = (REPO / "conf" / "churn-daily.yaml").read_text()
    old = 'schedule: {cron: "0 3 * * *", timezone: Europe/Moscow}'
    assert old in job_text
    job_text = job_text.replace(old, f'schedule: {{cron: "30 0 * * *", timezone: {zone}, '
                                     f'ds_offset_days: {offset_days}}}')
    (folder / "churn-daily.yaml").write_text(job_text)
    cron = next(doc for doc in documents(load_job(folder / "churn-daily.yaml")) if doc["kind"] == "CronWorkflow")
    stand_in = {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "churn-daily"},
        "spec": {"entrypoint": "main", "arguments": {"parameters": [{"name": "ds"}]}, "templates": [{
            "name": "main", "inputs": {"parameters": [{"name": "ds"}]},
            "container": {"image": "stand-in", "command": ["sh", "-c", "echo {{inputs.parameters.ds}}"]}}]},
    }
    return [stand_in, cron]


def _cases():
    for zone, changes in CHANGES.items():
        for change in changes:
            for day in (change - dt.timedelta(days=1), change, change + dt.timedelta(days=1)):
                for time in TIMES:
                    yield pytest.param(zone, dt.datetime.combine(day, time), id=f"{zone}-{day}-{time:%H%M}")


def _scheduled(zone: str, local: dt.datetime) -> dt.datetime:
    """The instant a schedule at `local` wall time fires (a wall time the spring change skips: an hour later)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC).astimezone(ZoneInfo(zone))


def _expected_ds(zone: str, scheduled: dt.datetime, offset_days: int) -> str:
    return (scheduled.astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=offset_days)).isoformat()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jobs")
    return {(zone, offset): _job_documents(folder, zone, offset) for zone in CHANGES for offset in (0, 1, 2)}


@pytest.mark.parametrize(("zone", "local"), list(_cases()))
def test_ds_is_the_calendar_date_in_the_schedules_zone_minus_the_offset(generated, zone, local, tmp_path):
    scheduled = _scheduled(zone, local)
    for offset in (0, 1, 2):
        # The cron controller writes the time in its zone's offset; `argo submit --scheduled-time` takes any.
        for text in (scheduled.isoformat(), scheduled.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")):
            result = run_workflow(generated[(zone, offset)], "CronWorkflow/churn-daily", work_dir=tmp_path / "w",
                                  lock_dir=tmp_path / "locks", echo=None, scheduled_time=text)
            expected = _expected_ds(zone, scheduled, offset)
            assert result.parameters["ds"] == expected, (text, offset)
            assert result.root.outputs.result == expected
            values.parse_date(result.parameters["ds"])


def test_run_local_takes_scheduled_time_and_prints_the_resolved_ds(generated, tmp_path):
    """00:30 in Berlin the day after clocks spring forward: yesterday is 30 March (24 hours back is the 29th)."""
    path = tmp_path / "cron.yaml"
    path.write_text(yaml.safe_dump_all(generated[("Europe/Berlin", 1)]))
    result = CliRunner().invoke(run_local, [
        str(path), "--template", "CronWorkflow/churn-daily", "--scheduled-time", "2025-03-31T00:30:00+02:00",
        "--work-dir", str(tmp_path / "work"), "--lock-dir", str(tmp_path / "locks")])

    assert result.exit_code == 0, result.output
    assert "Parameters:  ds=2025-03-30" in result.output
    assert f"Name:        churn-daily-{int(dt.datetime(2025, 3, 30, 22, 30, tzinfo=dt.UTC).timestamp())}" in \
        result.output


@pytest.mark.parametrize("text", ["2025-03-31", "2025-03-31T00:30:00", "2025-03-31 00:30:00+02:00", "tomorrow",
                                  "2025-02-30T00:30:00Z"])
def test_scheduled_time_must_be_rfc3339_with_an_offset(generated, tmp_path, text):
    with pytest.raises(UserError, match=re.escape(f"--scheduled-time: '{text}' is not an RFC 3339 time")):
        run_workflow(generated[("Europe/Berlin", 1)], "CronWorkflow/churn-daily", work_dir=tmp_path / "w",
                     lock_dir=tmp_path / "locks", echo=None, scheduled_time=text)
