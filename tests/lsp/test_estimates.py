"""The editor's cost figures are `recipe cost`'s: hover on calls, fan-outs and `finish`,
inlay hints and the code lens, on active-learning recipes (a cheap model on every item, an
expensive one on the uncertain ones) and on recipes with unpriced calls."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from recipe.server.analysis.estimate import format_seconds, format_usd

from .helpers import (
    EXAMPLE,
    config,
    diagnostics_for,
    doc_id,
    open_doc,
    position_of,
    server_env,
    start,
    track_versions,
    workspace,
)

# One fan-out: the cheap model labels each item; the uncertain ones go to the expensive model.
ACTIVE_MAP = """;; Active learning in one fan-out.
(define items (list "great" "terrible" "meh" "loved it" "not sure" "broken" "ok" "fine"
                    "bad" "good" "awful" "superb"))

(define labels
  (map-async
   (λ (item)
     (let ([label (syntax-e (llm-query #:instruction "Label the sentiment: positive, negative or unsure."
                                       #:data item
                                       #:model "gpt-4.1-nano"
                                       #:max-tokens 20))])
       (if (string-contains? label "unsure")
           (llm-query-async #:instruction "Label the sentiment carefully: positive or negative."
                            #:data item
                            #:model "gpt-4.1"
                            #:max-tokens 50)
           (llm-query-async #:instruction "Repeat the label." #:data item
                            #:model "gpt-4.1-nano" #:max-tokens 5))))
   items
   #:max-concurrent 4))

(finish (string-join labels "\\n"))
"""

# The active-learning combinator: two fan-out sites (cheap-f, expensive-f) on one call.
ACTIVE_COMBINATOR = """(define items (list "great" "terrible" "meh" "loved it" "not sure" "broken"
                    "ok" "fine" "bad" "good" "awful" "superb"))
(define (cheap item)
  (llm-query-async #:instruction "Label the sentiment: positive, negative or unsure."
                   #:data item #:model "gpt-4.1-nano" #:max-tokens 20))
(define (expensive item)
  (llm-query-async #:instruction "Label the sentiment carefully." #:data item
                   #:model "gpt-4.1" #:max-tokens 50))
(define (uncertainty label) (if (string-contains? label "unsure") 0.0 1.0))
(define labels (active-learning cheap expensive uncertainty items #:threshold 0.7))
(finish (string-join labels "\\n"))
"""

# One call of a model whose replies cost nothing: low == high.
FLAT = """(define a (syntax-e (llm-query #:instruction "Say hi." #:data "there"
                                 #:model "flat-model" #:max-tokens 10)))
(finish a)
"""

FILES = {
    "active_map.recipe": ACTIVE_MAP,
    "active_combinator.recipe": ACTIVE_COMBINATOR,
    "flat.recipe": FLAT,
    "example.recipe": EXAMPLE,  # the synthesis reads LLM replies: input size unknown
}
ROOT = workspace({
    **FILES,
    "recipe.toml": 'context-size = 400\n[models."flat-model"]\ninput = 2.0\noutput = 0.0\n'
                   'tier = "cheap"\nlatency-s = 2\n',
})


def format_usd_range(low: float, high: float) -> str:
    """A range as every figure should print it: one figure when both ends print the same."""
    low_text, high_text = format_usd(low), format_usd(high)
    return low_text if low_text == high_text else f"{low_text}–{high_text}"


def uri_of(name: str) -> str:
    return (ROOT / name).as_uri()


@pytest_lsp.fixture(scope="module", config=config())  # type: ignore[untyped-decorator]
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def, untyped-decorator]
    track_versions(lsp_client)
    await start(lsp_client, ROOT)
    for name, text in FILES.items():
        open_doc(lsp_client, uri_of(name), text)
    for name in FILES:
        await diagnostics_for(lsp_client, uri_of(name), 1)
    yield
    await lsp_client.shutdown_session()


def recipe_cost(name: str) -> dict[str, Any]:
    """``recipe cost FILE --format json``, run as a user would."""
    done = subprocess.run([sys.executable, "-m", "recipe.server", "cost", "--format", "json",
                           str(ROOT / name)], capture_output=True, text=True, check=False,
                          env=server_env(), cwd=str(Path(ROOT)))
    assert done.returncode in (0, 1), done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def cli_total(data: dict[str, Any]) -> tuple[str, str, str]:
    """(cost, latency, calls) of a complete total as `recipe cost` prints them."""
    total = data["total"]
    assert total["complete"]
    return (format_usd_range(total["cost_low"], total["cost_high"]),
            f"~{format_seconds(total['latency_s'])}", str(total["calls"]))


async def hover_text(client: LanguageClient, name: str, needle: str, delta: int = 1) -> str:
    text = FILES[name]
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=doc_id(uri_of(name)), position=position_of(text, needle, delta)))
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def lens_title(client: LanguageClient, name: str) -> str:
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=doc_id(uri_of(name))))
    assert lenses and lenses[0].command is not None
    return lenses[0].command.title


async def hint_labels(client: LanguageClient, name: str) -> list[str]:
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=doc_id(uri_of(name)), range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=100, character=0))))
    labels = [h.label for h in hints or []]
    assert all(isinstance(label, str) for label in labels)
    return [str(label) for label in labels]


def rows_range(data: dict[str, Any], models: tuple[str, ...]) -> str:
    rows = [r for r in data["calls"] if r["model"] in models]
    return format_usd_range(sum(r["cost_low"] for r in rows), sum(r["cost_high"] for r in rows))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("name", ["active_map.recipe", "active_combinator.recipe"])
async def test_active_learning_hint_names_both_models_with_the_cli_figures(
        client: LanguageClient, name: str) -> None:
    data = recipe_cost(name)
    cost, latency, calls = cli_total(data)
    calls_by_model: dict[str, int] = {}
    for row in data["calls"]:
        calls_by_model[row["model"]] = calls_by_model.get(row["model"], 0) + row["calls"]
    assert set(calls_by_model) == {"gpt-4.1-nano", "gpt-4.1"}
    labels = await hint_labels(client, name)
    assert len(labels) == 1, labels  # one hint per fan-out call, not one per site
    label = labels[0]
    assert f"{calls_by_model['gpt-4.1-nano']} × gpt-4.1-nano" in label
    assert f"{calls_by_model['gpt-4.1']} × gpt-4.1 " in label  # the expensive side is shown
    assert label.endswith(f"≈ {cost}")  # every call of the recipe is in this fan-out
    # the lens and the hover on `finish` give the CLI's total
    assert await lens_title(client, name) == f"▶ Run · est. {cost} · {latency}"
    finish = await hover_text(client, name, "(finish")
    assert f"- cost: {cost}" in finish
    assert f"- latency: {latency}" in finish
    assert f"- LLM calls: {calls}" in finish


@pytest.mark.asyncio(loop_scope="module")
async def test_active_learning_hover_on_the_fan_out_and_each_call(client: LanguageClient) -> None:
    name = "active_combinator.recipe"
    data = recipe_cost(name)
    cost, latency, _calls = cli_total(data)
    fan_out = await hover_text(client, name, "(active-learning")
    assert "- LLM calls: 12 × gpt-4.1-nano + 12 × gpt-4.1" in fan_out
    assert f"- total cost: {cost}" in fan_out
    assert fan_out.count("gpt-4.1-nano") == 1
    # the combinator's latency: the cheap pass, then the expensive one (as the CLI adds up)
    assert f": {latency}" in fan_out
    expensive = next(r for r in data["calls"] if r["model"] == "gpt-4.1")
    call = await hover_text(client, name, "llm-query-async #:instruction \"Label the sentiment carefully")
    assert "`gpt-4.1` (expensive tier)" in call
    assert f"- cost per call: {format_usd_range(expensive['per_call_low'], expensive['per_call_high'])}" in call
    assert f"- runs ×12: {format_usd_range(expensive['cost_low'], expensive['cost_high'])} in total" in call
    # its fan-out latency is its own site's (the expensive pass), as in `recipe cost`
    assert f"~{format_seconds(expensive['latency_s'])}" in call


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_on_finish_keeps_the_doc_and_adds_the_whole_recipe(client: LanguageClient) -> None:
    text = await hover_text(client, "active_map.recipe", "(finish")
    assert "(finish v)" in text  # the catalogue entry is still there
    assert "**Estimate for the whole recipe**" in text
    # an unpriced site is named, as in the CLI's total line
    data = recipe_cost("example.recipe")
    total = data["total"]
    assert not total["complete"] and len(total["unknown_sites"]) == 1
    example = await hover_text(client, "example.recipe", "(finish")
    known = format_usd_range(total["known_cost_low"], total["known_cost_high"])
    assert f"- cost: {known} + 1 site not priced" in example
    assert f"- LLM calls: {total['calls']}" in example


@pytest.mark.asyncio(loop_scope="module")
async def test_lens_shows_the_range_and_the_unpriced_note(client: LanguageClient) -> None:
    total = recipe_cost("example.recipe")["total"]
    low, high = total["known_cost_low"], total["known_cost_high"]
    assert format_usd(low) != format_usd(high)
    title = await lens_title(client, "example.recipe")
    assert title == (f"▶ Run · est. {format_usd(low)}–{format_usd(high)} + 1 unpriced · "
                     f"~{format_seconds(total['latency_s'])}")


@pytest.mark.asyncio(loop_scope="module")
async def test_equal_ends_print_one_figure(client: LanguageClient) -> None:
    total = recipe_cost("flat.recipe")["total"]
    assert total["cost_low"] == total["cost_high"] > 0
    one = format_usd(total["cost_low"])
    assert await lens_title(client, "flat.recipe") == f"▶ Run · est. {one} · ~2 s"
    finish = await hover_text(client, "flat.recipe", "(finish")
    assert f"- cost: {one}\n" in finish and "–" not in finish
    call = await hover_text(client, "flat.recipe", "(llm-query")
    assert f"- cost per call: {one}\n" in call and "–" not in call.split("---")[-1]


@pytest.mark.asyncio(loop_scope="module")
async def test_estimate_command_gives_the_cli_total(client: LanguageClient) -> None:
    for name in FILES:
        data = recipe_cost(name)
        result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="recipe.estimateCost", arguments=[uri_of(name)]))
        assert isinstance(result, dict)
        assert result["total"] == data["total"]
        assert result["total_usd_low"] == pytest.approx(data["total"]["known_cost_low"], abs=1e-6)
        assert result["total_usd_high"] == pytest.approx(data["total"]["known_cost_high"], abs=1e-6)
        assert result["complete"] == data["total"]["complete"]
        assert result["llm_calls"] == data["total"]["calls"]
