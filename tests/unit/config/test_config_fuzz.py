"""Property-based fuzz of the config loader and `generate-workflow build` (Hypothesis, fixed seed, bounded count).

Every input, however broken, must end in exit 0 (and a full, parseable workflows/ output) or exit 1 with every
error naming its file and key (and no output at all): never a traceback, never a hang, never a partial output.
Families: random YAML structure (types, depths, sizes), mutations of the real conf/ files at every key level
(delete, retype, unknown key, duplicate key), raw text in other encodings, deep nesting, anchors and aliases.
The per-family counts land in docs/RELIABILITY.md from `pytest --hypothesis-show-statistics` of this file.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main as generate_workflow

REPO = Path(__file__).resolve().parents[3]
CONF = REPO / "conf"
JOB = "churn-daily"
# One budget for one build; a real build takes well under a second, so hitting it means a hang.
CASE_SECONDS = 20
# Fixed seed (derandomize) and no example database: every CI run tries the same inputs in the same order.
FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    """A case ran past CASE_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum, frame):
        raise Hang(f"case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _real_conf(folder: Path) -> Path:
    conf = folder / "conf"
    shutil.copytree(CONF, conf)
    for other in conf.glob("*.yaml"):
        if other.name not in ("defaults.yaml", f"{JOB}.yaml"):
            other.unlink()
    return conf


def check_build(conf: Path, out: Path) -> None:
    """Build conf/ into out/ and assert the promise; raises AssertionError (or Hang) saying what broke."""
    with time_limit(CASE_SECONDS):
        result = CliRunner().invoke(generate_workflow, ["build", str(conf), "--out-dir", str(out)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        detail = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"traceback instead of an error message:\n{detail[-4000:]}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert not out.exists(), f"exit 1 but {out} was written: {sorted(out.iterdir())}"
        lines = result.output.splitlines()
        assert re.fullmatch(r"Error: \d+ config errors?:", lines[0]), result.output
        for line in lines[1:]:
            # "  FILE: KEY: MESSAGE", FILE one of the configs, KEY a dotted key path or <root>
            issue = re.fullmatch(rf"  {re.escape(str(conf))}/[\w./-]+\.yaml: (?P<key>.+?): .+", line)
            assert issue, f"error without config file and key: {line!r}"
        return
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted([f"{JOB}.yaml", f"{JOB}.rbac.yaml"]), written
    for path in out.iterdir():
        assert list(yaml.safe_load_all(path.read_text())), path


@contextlib.contextmanager
def conf_folder() -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory() as folder:
        conf = _real_conf(Path(folder))
        yield conf, Path(folder) / "out"


# --- strategies ---------------------------------------------------------------------------------------------

KEYS = st.one_of(st.sampled_from(["name", "model", "uri", "input", "table", "sql", "spark", "conf", "retro",
                                  "parallelism", "schedule", "cron", "x", "", "0", "true", "null"]),
                 st.text(max_size=12))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=40), st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["models:/churn@champion", "features.churn_daily", "dt", "0 3 * * *", "Europe/Moscow", "4Gi",
                     "sql/churn_features.sql", "2024-02-30", "local[*]", "../../etc/passwd", "x" * 5000]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                        st.dictionaries(KEYS, inner, max_size=5)), max_leaves=40)


def _key_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _key_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _key_paths(value, (*prefix, index))
    return paths


def _parent_and_key(root: Any, path: tuple) -> tuple[Any, Any]:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- the properties -------------------------------------------------------------------------------------------


@settings(FUZZ, max_examples=100)
@given(job=VALUES)
def test_random_structure_as_the_job_file(job):
    """Any YAML value at all (every type, nested lists and mappings, odd keys) in place of the job config."""
    with conf_folder() as (conf, out):
        (conf / f"{JOB}.yaml").write_text(_dump(job), encoding="utf-8")
        check_build(conf, out)


MUTATIONS = ("delete", "replace", "unknown-key", "duplicate-key")


@settings(FUZZ, max_examples=100)
@given(data=st.data(), target=st.sampled_from([f"{JOB}.yaml", "defaults.yaml"]),
       mutation=st.sampled_from(MUTATIONS), value=VALUES)
def test_mutations_of_the_real_conf_files(data, target, mutation, value):
    """One edit at any key path of the real job or defaults file: removed, given any value, an unknown key added
    beside it (at every level), or the key written twice."""
    with conf_folder() as (conf, out):
        path = conf / target
        original = yaml.safe_load(path.read_text())
        paths = [p for p in _key_paths(original) if p]
        key_path = data.draw(st.sampled_from(paths), label="key path")
        parent, key = _parent_and_key(original, key_path)
        if mutation == "delete":
            del parent[key]
            text = _dump(original)
        elif mutation == "replace":
            parent[key] = value
            text = _dump(original)
        elif mutation == "unknown-key":
            holder = parent if isinstance(parent, dict) else original
            holder[data.draw(KEYS.filter(lambda k: k not in holder), label="unknown key")] = value
            text = _dump(original)
        else:
            text = _dump(original)
            if isinstance(parent, dict):
                # Written again at the end of its mapping: the loader must refuse it, whatever the level.
                parent_yaml = _dump({key: value})
                text = text + parent_yaml if len(key_path) == 1 else _duplicate_nested(original, key_path, value)
        path.write_text(text, encoding="utf-8")
        check_build(conf, out)


def _duplicate_nested(original: dict, key_path: tuple, value: Any) -> str:
    """The document in block style with `key` repeated inside its own mapping (a text edit: YAML data cannot)."""
    marker = "__duplicate_marker__"
    parent, key = _parent_and_key(original, key_path)
    parent[marker] = value
    text = yaml.safe_dump(original, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text.replace(f"{marker}:", f"{yaml.safe_dump(key).splitlines()[0]}:", 1)


ENCODINGS = ("utf-16", "utf-16-le", "utf-32", "latin-1", "cp1251", "utf-8-sig", "shift_jis")


@settings(FUZZ, max_examples=40)
@given(encoding=st.sampled_from(ENCODINGS), extra=st.text(max_size=20), garbage=st.binary(max_size=64),
       where=st.sampled_from(["job", "defaults"]))
def test_encodings_and_raw_bytes(encoding, extra, garbage, where):
    """The real file in another encoding (with a non-ASCII description), or with raw bytes appended."""
    with conf_folder() as (conf, out):
        path = conf / (f"{JOB}.yaml" if where == "job" else "defaults.yaml")
        text = path.read_text() + f"# {extra!r} é ж 漢\n"
        try:
            payload = text.encode(encoding)
        except UnicodeEncodeError:
            payload = text.encode(encoding, errors="replace")
        path.write_bytes(payload + garbage)
        check_build(conf, out)


@settings(FUZZ, max_examples=40)
@given(depth=st.integers(min_value=1, max_value=3000), opener=st.sampled_from(["[", "{a: ", "- ", "{"]),
       closed=st.booleans(), key=st.sampled_from(["name", "input", "spark", "description"]))
def test_deep_nesting(depth, opener, closed, key):
    """Nested lists and mappings of any depth under a real key (a 1 KB file once ended in a RecursionError)."""
    with conf_folder() as (conf, out):
        path = conf / f"{JOB}.yaml"
        closer = {"[": "]", "{a: ": "}", "{": "}", "- ": ""}[opener]
        if opener == "- ":
            depth = min(depth, 400)  # indented block form: size grows with depth squared
            nested = "".join(f"{'  ' * level}- \n" for level in range(depth)).rstrip() + " x\n"
            body = f"{key}:\n{nested}"
        else:
            nested = opener * depth + "x" + (closer * depth if closed else "")
            body = f"{key}: {nested}\n"
        original = yaml.safe_load(path.read_text())
        original.pop(key, None)
        path.write_text(_dump(original) + body, encoding="utf-8")
        check_build(conf, out)


@settings(FUZZ, max_examples=40)
@given(fanout=st.integers(min_value=1, max_value=12), levels=st.integers(min_value=1, max_value=12),
       key=st.sampled_from(["spark", "input", "description", "resources", "unknown_key", "name"]),
       shape=st.sampled_from(["list", "map", "self"]))
def test_anchors_and_aliases(fanout, levels, key, shape):
    """Aliases in every shape: shared values, "billion laughs" (fanout ** levels values) and a collection that
    contains itself."""
    with conf_folder() as (conf, out):
        path = conf / f"{JOB}.yaml"
        original = yaml.safe_load(path.read_text())
        original.pop(key, None)
        lines = [_dump(original).rstrip(), "x_anchors:"]
        lines.append("  l0: &l0 [v, v]")
        for level in range(1, levels + 1):
            items = ", ".join([f"*l{level - 1}"] * fanout)
            if shape == "map":
                items = ", ".join(f"k{i}: *l{level - 1}" for i in range(fanout))
                lines.append(f"  l{level}: &l{level} {{{items}}}")
            else:
                lines.append(f"  l{level}: &l{level} [{items}]")
        if shape == "self":
            lines.append(f"{key}: &me [a, *me]")
        else:
            lines.append(f"{key}: *l{levels}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        check_build(conf, out)


@settings(FUZZ, max_examples=60)
@given(text=st.text(max_size=400), prefix=st.sampled_from(["", "name: churn-daily\n", "%YAML 1.1\n---\n",
                                                           "--- !!python/object:os.system\n", "? [a]\n: b\n",
                                                           "a: !!binary aGVsbG8=\n", "--- a\n--- b\n"]))
def test_raw_text(text, prefix):
    """Arbitrary text (control characters, tags, several documents, complex keys) as the job file."""
    with conf_folder() as (conf, out):
        (conf / f"{JOB}.yaml").write_text(prefix + text, encoding="utf-8", errors="surrogatepass")
        check_build(conf, out)


def test_a_deeply_nested_list_config_is_a_named_error_not_a_recursion_error(tmp_path):
    """The input that broke the loader: `name: [[[[...`, far below the size limit, ended in a RecursionError
    (1 KB where Python's default recursion limit of 1000 holds; `build` runs under the 2500 that cel-python sets
    on import, where 5 KB does it)."""
    conf = _real_conf(tmp_path)
    (conf / f"{JOB}.yaml").write_text("name: " + "[" * 5000)
    result = CliRunner().invoke(generate_workflow, ["build", str(conf), "--out-dir", str(tmp_path / "out")])
    assert not isinstance(result.exception, RecursionError)
    assert result.exit_code == 1, result.output
    assert f"{conf / JOB}.yaml: <root>: invalid YAML: nested deeper than 32 levels at line 1" in result.output
    assert not (tmp_path / "out").exists()


def test_a_billion_laughs_is_refused_without_expanding_it(tmp_path):
    conf = _real_conf(tmp_path)
    lines = [(conf / f"{JOB}.yaml").read_text(), "x_a: &a0 [v, v, v, v, v, v, v, v, v, v]"]
    lines += [f"x_a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 10)]
    lines.append("spark: {conf: *a9}")
    (conf / f"{JOB}.yaml").write_text("\n".join(lines) + "\n")
    with time_limit(10):
        result = CliRunner().invoke(generate_workflow, ["build", str(conf), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "anchors and aliases expand to more than 100000 values" in result.output
    assert not (tmp_path / "out").exists()


def test_a_write_that_fails_half_way_leaves_no_partial_output(tmp_path):
    """Fault: the second file of a job cannot be written (a folder holds its name). Every file is written beside
    its target first and renamed only when all are written, so workflows/ keeps its old state: no half set."""
    conf, out = _real_conf(tmp_path), tmp_path / "out"
    (out / f"{JOB}.rbac.yaml").mkdir(parents=True)

    result = CliRunner().invoke(generate_workflow, ["build", str(conf), "--out-dir", str(out)])

    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert f"cannot write {out / f'{JOB}.rbac.yaml'}" in result.output and "nothing was written" in result.output
    assert sorted(path.name for path in out.iterdir()) == [f"{JOB}.rbac.yaml"]  # only the folder, no temp file
