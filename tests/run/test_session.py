from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from recipe.runtime.engine.providers.simulated import SimulatedProvider
from recipe.runtime.engine.services import BudgetExhausted, LLMRequest
from recipe.runtime.engine.session import RunServices, money
from recipe.runtime.lang.config import Config


def services(tmp_path: Path, **kw: object) -> RunServices:
    return RunServices(provider=SimulatedProvider(), config=Config(), progress=False,
                       run_dir=tmp_path, **kw)  # type: ignore[arg-type]


def test_services_end_to_end(tmp_path: Path) -> None:
    trace = tmp_path / "trace.jsonl"
    s = services(tmp_path, trace_path=trace, context={"a": 1}, budget_tokens=10_000)

    async def main() -> None:
        r = await s.llm(LLMRequest("Say hi", "x", "", site="f:1:1"))  # default model filled
        assert r.model == "gpt-4.1-nano"
        assert await s.python.eval("context['a'] + 1") == 2
        s.store.checkpoint("k", [1])
        s.trace_unwrap("f:2:2")
        bar = s.fan_out("f:3:3", 2, "map-async")
        bar.item_started()
        bar.item_done()
        bar.close()
        used = s.tokens_used()
        assert used["calls"] == 1 and used["total-tokens"] == r.prompt_tokens + \
            r.completion_tokens
        assert used["cost-usd"] == pytest.approx(r.cost_usd)
        assert s.rate_limits() == {}
        await s.aclose()

    anyio.run(main)
    assert len(trace.read_text().splitlines()) == 2
    with pytest.raises(ValueError):
        s.new_budget(0)
    with pytest.raises(ValueError):
        s.new_budget(True)  # type: ignore[arg-type]
    assert s.new_budget(5).limit == 5
    assert s.usage()["calls"] == 1


def test_run_wide_budget_from_config(tmp_path: Path) -> None:
    config = Config()
    config.budget_tokens = 30
    s = RunServices(provider=SimulatedProvider(), config=config, progress=False)
    with pytest.raises(BudgetExhausted):
        anyio.run(s.llm, LLMRequest("Say hi", "x" * 400, "gpt-4.1-nano", max_tokens=10))


def test_money() -> None:
    assert money(0) == "$0" and money(0.000045) == "$0.000045" and money(1.5) == "$1.5000"


def test_estimate_column_prints_one_figure_when_the_range_is_a_point(tmp_path: Path) -> None:
    from recipe.runtime.engine.scheduler import Totals
    from rich.console import Console

    s = services(tmp_path, estimates={"f:1:1": (0.0005, 0.0005), "f:2:1": (0.0005, 0.002)})
    for site in ("f:1:1", "f:2:1"):
        s.scheduler.stats.by_model["gpt-4.1-nano"] = Totals(calls=2, cost_usd=0.002)
        s.scheduler.stats.by_site[site] = Totals(calls=2, cost_usd=0.001)
    console = Console(record=True, width=120)
    s.summary_table(console)
    out = console.export_text()
    rows = {line.split()[1]: line for line in out.splitlines() if "f:" in line}
    assert "$0.000500–" not in rows["f:1:1"] and "$0.000500" in rows["f:1:1"]
    assert "$0.000500–$0.002000" in rows["f:2:1"]
