"""The model table: prices, tiers, output limits, latency and flags, read from ``models.toml``
(the only price table) and extended or overridden by configuration."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, NamedTuple

CHEAP = "cheap"
STANDARD = "standard"
EXPENSIVE = "expensive"
TIERS = (CHEAP, STANDARD, EXPENSIVE)
_O_SERIES = re.compile(r"^o\d")


class Model(NamedTuple):
    """One row of the price table. Prices are USD per million tokens."""

    name: str
    input: float
    output: float
    tier: str
    max_output: int | None = None
    latency_s: float = 10.0
    no_temperature: bool = False
    max_completion_tokens: bool = False  # the API wants `max_completion_tokens`, not `max_tokens`
    retired: bool = False
    replacement: str | None = None

    def cost(self, tokens_in: float, tokens_out: float) -> float:
        return (tokens_in * self.input + tokens_out * self.output) / 1_000_000

    @property
    def price_text(self) -> str:
        return f"${self.input:g} / ${self.output:g} per 1M tokens (in / out)"


class ModelTable(Mapping[str, Model]):
    """Models by name, plus the default and cheap model names."""

    def __init__(self, models: dict[str, Model], default_model: str, cheap_model: str) -> None:
        self._models = models
        self.default_model = default_model
        self.cheap_model = cheap_model

    def __getitem__(self, name: str) -> Model:
        return self._models[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def by_price(self) -> list[Model]:
        """Current (not retired) models, cheapest input price first."""
        return sorted((m for m in self._models.values() if not m.retired),
                      key=lambda m: (m.input, m.output, m.name))

    def nearest(self, name: str) -> str | None:
        """The known model name closest to a misspelt one, if any is close."""
        from .names import closest

        return closest(name, [m for m in self._models if not self._models[m].retired])

    def default(self) -> Model:
        return self._models[self.default_model]

    def cheap(self) -> Model:
        return self._models[self.cheap_model]

    def with_overrides(self, overrides: Mapping[str, Mapping[str, Any]],
                       default_model: str | None = None, cheap_model: str | None = None,
                       thresholds: tuple[float, float] | None = None) -> ModelTable:
        """A new table with configuration applied (new models, changed fields)."""
        cheap_t, expensive_t = thresholds or _thresholds()
        models = dict(self._models)
        for name, fields in overrides.items():
            base = models.get(name)
            models[name] = _model(name, dict(fields), cheap_t, expensive_t, base)
        return ModelTable(models, default_model or self.default_model,
                          cheap_model or self.cheap_model)


def tier_for(name: str, input_price: float, cheap_threshold: float = 1.0,
             expensive_threshold: float = 2.0) -> str:
    if _O_SERIES.match(name) or input_price >= expensive_threshold:
        return EXPENSIVE
    if input_price < cheap_threshold:
        return CHEAP
    return STANDARD


_FIELDS = {"input", "output", "tier", "max_output", "latency_s", "no_temperature", "retired",
           "replacement", "max_completion_tokens"}


def _model(name: str, fields: dict[str, Any], cheap_t: float, expensive_t: float,
           base: Model | None = None) -> Model:
    fields = {k.replace("-", "_"): v for k, v in fields.items()}
    unknown = set(fields) - _FIELDS
    if unknown:
        raise ValueError(f"model {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
    for field in ("input", "output", "latency_s", "max_output"):
        value = fields.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                  or not math.isfinite(value) or value < 0):
            raise ValueError(f"model {name!r}: `{field.replace('_', '-')}` must be a number of "
                             f"at least 0, not {value!r}")
    if base is not None:
        tier = fields.pop("tier", None)
        model = base._replace(**fields)
        if tier is None and ("input" in fields):
            tier = tier_for(name, model.input, cheap_t, expensive_t)
        return model._replace(tier=tier or model.tier)
    if "input" not in fields or "output" not in fields:
        raise ValueError(f"model {name!r}: a new model needs `input` and `output` prices")
    tier = fields.pop("tier", None) or tier_for(name, float(fields["input"]), cheap_t, expensive_t)
    if tier not in TIERS:
        raise ValueError(f"model {name!r}: tier must be one of {', '.join(TIERS)}")
    return Model(name=name, tier=tier, **fields)


@cache
def _raw() -> dict[str, Any]:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models.toml")
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _thresholds() -> tuple[float, float]:
    raw = _raw()
    return float(raw["cheap_threshold"]), float(raw["expensive_threshold"])


@cache
def builtin_table() -> ModelTable:
    """The table as shipped in ``models.toml``."""
    raw = _raw()
    cheap_t, expensive_t = _thresholds()
    models = {name: _model(name, dict(fields), cheap_t, expensive_t)
              for name, fields in raw["models"].items()}
    return ModelTable(models, raw["default_model"], raw["cheap_model"])
