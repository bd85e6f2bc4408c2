"""Config of where the model runs: model.environment and model.environment_cache, as the score step gets them."""

from __future__ import annotations

from generator.config import load_job
from generator.specs import steps
from tests.unit.config.test_loader import changed, errors_of, write_job


def test_default_is_auto_with_a_cache_under_tmp_and_the_score_step_gets_both(tmp_path):
    config = load_job(write_job(tmp_path)).config
    assert (config.model.environment, config.model.environment_cache) == ("auto", "/tmp/model-environments")
    args = steps.score(config).args
    assert args[args.index("--model-environment") + 1] == "auto"
    assert args[args.index("--environment-cache") + 1] == "/tmp/model-environments"


def test_bad_environment_values_name_the_key_and_the_allowed_values(tmp_path):
    job = changed('model: {uri: "models:/churn@champion", environment: conda, environment_cache: "cache/../x"}')
    errors = {key: message for _, key, message in errors_of(write_job(tmp_path, job))}
    assert "allowed: auto, image or own" in errors["model.environment"]
    assert "absolute path" in errors["model.environment_cache"]
