"""Configuration: ``[tool.recipe]`` in the nearest ``pyproject.toml``, or a ``recipe.toml``.

Found by walking up from the recipe (or the working directory); a ``recipe.toml`` wins over
a ``pyproject.toml`` in the same folder. Keys are kebab-case, as ruff's are::

    [tool.recipe]
    select = ["C", "J001"]            # codes or prefixes; default: all
    ignore = ["N008"]
    per-file-ignores = { "drafts/*.recipe" = ["F001"] }
    severity = { C004 = "error" }      # re-grade: error | warning | info
    default-model = "gpt-4.1-nano"
    cheap-model = "gpt-5-nano"
    max-cost = 1.50                    # USD; C007 warns above it
    context-size = 20000               # tokens of `context` when no --context is given
    max-concurrent = 20                # global cap on LLM calls in flight (runs; C006)
    [tool.recipe.models."my-model"]    # extend or override the price table
    input = 0.2
    output = 0.8
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from .models import ModelTable, builtin_table

SEVERITIES = ("error", "warning", "info")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and key."""


class Config:
    """Settings for lint, cost estimates, the language server and runs."""

    select: list[str] | None = None
    max_cost: float | None = None
    context_size: int | None = None
    max_concurrent: int = 50
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    provider: str = "auto"
    budget_tokens: int | None = None
    budget_usd: float | None = None
    timeout: float = 120.0
    max_retries: int = 4
    python_timeout: float = 60.0
    python_memory_mb: int = 1024
    store_dir: str | None = None
    source: Path | None = None  # the file the settings came from

    def __init__(self, **settings: Any) -> None:
        self.ignore: list[str] = []
        self.per_file_ignores: dict[str, list[str]] = {}
        self.severity: dict[str, str] = {}
        self.models: ModelTable = builtin_table()
        for key, value in settings.items():
            if not hasattr(self, key):
                raise TypeError(f"Config has no setting {key!r}")
            setattr(self, key, value)

    def copy(self) -> Config:
        """An independent copy (lists and tables copied), to merge other settings into."""
        clone = Config()
        clone.__dict__.update(self.__dict__)
        clone.ignore = list(self.ignore)
        clone.per_file_ignores = dict(self.per_file_ignores)
        clone.severity = dict(self.severity)
        clone.select = list(self.select) if self.select is not None else None
        return clone

    @property
    def default_model(self) -> str:
        return self.models.default_model

    @property
    def cheap_model(self) -> str:
        return self.models.cheap_model


_SIMPLE_KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "max-cost": ("max_cost", (int, float)),
    "context-size": ("context_size", (int,)),
    "max-concurrent": ("max_concurrent", (int,)),
    "requests-per-minute": ("requests_per_minute", (int,)),
    "tokens-per-minute": ("tokens_per_minute", (int,)),
    "provider": ("provider", (str,)),
    "budget-tokens": ("budget_tokens", (int,)),
    "budget-usd": ("budget_usd", (int, float)),
    "timeout": ("timeout", (int, float)),
    "max-retries": ("max_retries", (int,)),
    "python-timeout": ("python_timeout", (int, float)),
    "python-memory-mb": ("python_memory_mb", (int,)),
    "store-dir": ("store_dir", (str,)),
}
# The least value of each numeric key (a negative budget or a window of 0 is a mistake)
_LEAST: dict[str, float] = {
    "max-cost": 0, "context-size": 0, "max-concurrent": 1, "requests-per-minute": 1,
    "tokens-per-minute": 1, "budget-tokens": 0, "budget-usd": 0, "timeout": 0.001,
    "max-retries": 0, "python-timeout": 0.001, "python-memory-mb": 1,
}
_OTHER_KEYS = {"select", "ignore", "extend-select", "per-file-ignores", "severity", "models",
               "default-model", "cheap-model"}


def _codes(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of rule codes")
    return [v.strip().upper() for v in value]


def apply_settings(config: Config, settings: dict[str, Any], where: str) -> Config:
    """Merge a ``[tool.recipe]``-shaped mapping into ``config`` (in place) and return it."""
    for key, value in settings.items():
        key_n = key.replace("_", "-")
        if key_n in _SIMPLE_KEYS:
            attr, types = _SIMPLE_KEYS[key_n]
            if isinstance(value, bool) or not isinstance(value, types):
                raise ConfigError(f"{where}: `{key}` must be {' or '.join(t.__name__ for t in types)}")
            least = _LEAST.get(key_n)
            if least is not None and isinstance(value, int | float) \
                    and not (math.isfinite(value) and value >= least):
                raise ConfigError(f"{where}: `{key}` must be a number of at least {least}, "
                                  f"not {value!r}")
            setattr(config, attr, value)
        elif key_n == "select":
            config.select = _codes(value, f"{where}: `select`")
        elif key_n == "extend-select":
            config.select = (config.select or []) + _codes(value, f"{where}: `extend-select`")
        elif key_n == "ignore":
            config.ignore = _codes(value, f"{where}: `ignore`")
        elif key_n == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `per-file-ignores` must be a table")
            config.per_file_ignores = {
                str(k): _codes(v, f"{where}: `per-file-ignores.{k}`") for k, v in value.items()}
        elif key_n == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: `severity` must be a table of CODE = level")
            for code, level in value.items():
                if level not in SEVERITIES:
                    raise ConfigError(f"{where}: `severity.{code}` must be one of "
                                      f"{', '.join(SEVERITIES)}, not {level!r}")
                config.severity[code.upper()] = level
        elif key_n in ("models", "default-model", "cheap-model"):
            pass  # handled together below
        else:
            raise ConfigError(f"{where}: unknown key `{key}`")
    models = settings.get("models", {})
    default_model = settings.get("default-model", settings.get("default_model"))
    cheap_model = settings.get("cheap-model", settings.get("cheap_model"))
    if models or default_model or cheap_model:
        if not isinstance(models, dict):
            raise ConfigError(f"{where}: `models` must be a table of model tables")
        try:
            table = config.models.with_overrides(models, default_model, cheap_model)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: {exc}") from None
        for key, name in (("default-model", table.default_model), ("cheap-model", table.cheap_model)):
            if name not in table:
                raise ConfigError(f"{where}: `{key}` names unknown model {name!r}")
        config.models = table
    return config


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``recipe.toml`` or ``pyproject.toml`` with ``[tool.recipe]``, from ``start`` up."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        recipe_toml = candidate / "recipe.toml"
        if recipe_toml.is_file():
            data = _load_toml(recipe_toml)
            return recipe_toml, data.get("tool", {}).get("recipe", data)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            data = _load_toml(pyproject)
            section = data.get("tool", {}).get("recipe")
            if isinstance(section, dict):
                return pyproject, section
    return None


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """Configuration for a recipe at ``start`` (or the working directory), or from ``explicit``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        data = _load_toml(explicit)
        section = data.get("tool", {}).get("recipe", data) if explicit.name == "pyproject.toml" \
            or "tool" in data else data
        return apply_settings(Config(source=explicit), section, str(explicit))
    found = find_config_file(start or Path.cwd())
    if found is None:
        return Config()
    path, section = found
    return apply_settings(Config(source=path), section, str(path))
