"""Configuration: discovery, every key, model-table overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from recipe.runtime.lang.config import Config, ConfigError, apply_settings, load_config
from recipe.runtime.lang.models import CHEAP, EXPENSIVE, STANDARD, builtin_table


def test_builtin_table_matches_language_md() -> None:
    table = builtin_table()
    assert (table["gpt-4.1-nano"].input, table["gpt-4.1-nano"].output) == (0.10, 0.40)
    assert (table["gpt-4"].input, table["gpt-4"].output) == (30.0, 60.0)
    assert table["gpt-4.1-nano"].tier == CHEAP
    assert table["gpt-5"].tier == STANDARD  # input $1.25/M: neither cheap nor expensive
    assert table["gpt-4.1"].tier == EXPENSIVE and table["o3-mini"].tier == EXPENSIVE  # o-series
    assert table["o1"].no_temperature and not table["gpt-4o"].no_temperature
    assert table["curie"].retired and table["curie"].replacement
    assert table.nearest("gpt-4o-mni") == "gpt-4o-mini"


def test_discovery_prefers_recipe_toml_and_walks_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.recipe]\nignore = ["N008"]\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    config = load_config(sub)
    assert config.ignore == ["N008"] and config.source == tmp_path / "pyproject.toml"
    (tmp_path / "recipe.toml").write_text('select = ["C"]\n')
    config = load_config(sub)
    assert config.select == ["C"] and config.source == tmp_path / "recipe.toml"
    (tmp_path / "other.toml").write_text("max-cost = 2.5\n")
    assert load_config(explicit=tmp_path / "other.toml").max_cost == 2.5


def test_models_default_and_cheap_model_overrides() -> None:
    config = apply_settings(Config(), {
        "default-model": "my-local",
        "cheap-model": "gpt-5-nano",
        "models": {"my-local": {"input": 0.0, "output": 0.0, "latency_s": 2},
                   "gpt-4o": {"input": 1.5}},
        "context-size": 20000, "max-concurrent": 20, "severity": {"c004": "error"},
        "per-file-ignores": {"drafts/*.recipe": ["F001"]},
    }, "recipe.toml")
    assert config.default_model == "my-local" and config.cheap_model == "gpt-5-nano"
    assert config.models["my-local"].tier == CHEAP and config.models["my-local"].latency_s == 2
    assert config.models["gpt-4o"].input == 1.5 and config.models["gpt-4o"].tier == STANDARD
    assert builtin_table()["gpt-4o"].input == 2.5  # the shipped table is not changed
    assert config.context_size == 20000 and config.severity == {"C004": "error"}
    assert config.per_file_ignores == {"drafts/*.recipe": ["F001"]}


@pytest.mark.parametrize(("settings", "message"), [
    ({"selcet": ["C"]}, "unknown key `selcet`"),
    ({"max-cost": "cheap"}, "`max-cost` must be int or float"),
    ({"severity": {"C001": "fatal"}}, "must be one of error, warning, info"),
    ({"default-model": "gpt-99"}, "unknown model 'gpt-99'"),
    ({"models": {"new-model": {"input": 1.0}}}, "needs `input` and `output`"),
    ({"models": {"gpt-4o": {"price": 1.0}}}, "unknown field"),
    # out of range: a negative price showed "$-1" in hovers, a window of 0 advised itself
    ({"max-concurrent": 0}, "`max-concurrent` must be a number of at least 1, not 0"),
    ({"max-cost": -1}, "`max-cost` must be a number of at least 0, not -1"),
    ({"budget-usd": float("nan")}, "`budget-usd` must be a number of at least 0"),
    ({"models": {"gpt-4o": {"input": -1.0}}}, "`input` must be a number of at least 0"),
    ({"models": {"local": {"input": 0.0, "output": float("inf")}}},
     "`output` must be a number of at least 0, not inf"),
    ({"models": {"local": {"input": 0.0, "output": 0.0, "latency-s": -3}}},
     "`latency-s` must be a number of at least 0"),
])
def test_bad_settings_name_the_file_and_key(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        apply_settings(Config(), settings, "pyproject.toml")
    assert message in str(err.value) and str(err.value).startswith("pyproject.toml")


def test_invalid_toml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "recipe.toml").write_text("select = [\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "recipe.toml: invalid TOML" in str(err.value)
