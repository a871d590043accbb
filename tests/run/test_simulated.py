from __future__ import annotations

import json

import anyio
import pytest
from recipe.runtime.engine.providers import ProviderResponse
from recipe.runtime.engine.providers.simulated import SimulatedProvider, parse_latency
from recipe.runtime.engine.services import LLMRequest
from recipe.runtime.lang.tokens import chat_prompt_tokens, count_tokens


def req(**kw: object) -> LLMRequest:
    base: dict[str, object] = {"instruction": "Summarise the harvest report for farmers",
                               "data": "wheat 12t, barley 7t", "model": "gpt-4.1-nano"}
    base.update(kw)
    return LLMRequest(**base)  # type: ignore[arg-type]


async def _complete(p: SimulatedProvider, r: LLMRequest,
                    max_tokens: int | None = None) -> ProviderResponse:
    return await p.complete(r, max_tokens=max_tokens, timeout=10)


def test_deterministic_and_mentions_instruction_words() -> None:
    a = anyio.run(_complete, SimulatedProvider(), req())
    b = anyio.run(_complete, SimulatedProvider(), req())
    assert a == b
    words = {"summarise", "harvest", "report", "farmers"}
    assert any(w in a.text for w in words)
    c = anyio.run(_complete, SimulatedProvider(), req(data="other"))
    assert c.text != a.text
    d = anyio.run(_complete, SimulatedProvider(seed=1), req())
    assert d.text != a.text


@pytest.mark.parametrize("n", range(20))
def test_json_mode_is_valid_json(n: int) -> None:
    r = req(instruction=f"Return JSON with a score {n}", json=True)
    out = anyio.run(_complete, SimulatedProvider(), r)
    assert isinstance(json.loads(out.text), dict)


@pytest.mark.parametrize("cap", [1, 3, 5, 10, 40])
def test_output_bounded_by_max_tokens(cap: int) -> None:
    for r in (req(max_tokens=cap), req(max_tokens=cap, json=True, instruction="json please")):
        out = anyio.run(_complete, SimulatedProvider(), r)
        assert out.completion_tokens <= cap
        assert count_tokens(out.text) == out.completion_tokens
        if r.json:
            json.loads(out.text)
    out = anyio.run(_complete, SimulatedProvider(), req(), 4)  # a cap from a budget
    assert out.completion_tokens <= 4


def test_usage_uses_the_estimator() -> None:
    r = req()
    out = anyio.run(_complete, SimulatedProvider(), r)
    assert out.prompt_tokens == chat_prompt_tokens(r.instruction, r.data)
    empty = anyio.run(_complete, SimulatedProvider(), req(data=""))
    assert empty.prompt_tokens == chat_prompt_tokens(r.instruction, "(no data provided)")


def test_latency_fixed_and_seeded_range() -> None:
    p = SimulatedProvider(latency=(0.01, 0.05), seed=3)
    lat = [p.latency_for(req(data=str(i))) for i in range(20)]
    assert all(0.01 <= x <= 0.05 for x in lat)
    assert lat == [SimulatedProvider(latency=(0.01, 0.05), seed=3).latency_for(req(data=str(i)))
                   for i in range(20)]
    assert len(set(lat)) > 10
    assert parse_latency("0.2") == 0.2
    assert parse_latency("0.05-0.4") == (0.05, 0.4)

    async def timed() -> float:
        start = anyio.current_time()
        await SimulatedProvider(latency=0.05).complete(req(), max_tokens=None, timeout=1)
        return anyio.current_time() - start

    assert anyio.run(timed) >= 0.05


def test_json_answers_follow_the_shape_the_instruction_asks_for() -> None:
    r = req(instruction='Find ACE2. Return JSON: {"mentions": [{"mention": string, "page": int}]}',
            json=True, max_tokens=2000)
    data = json.loads(anyio.run(_complete, SimulatedProvider(), r).text)
    assert list(data) == ["mentions"] and data["mentions"]
    for mention in data["mentions"]:
        assert isinstance(mention["mention"], str) and isinstance(mention["page"], int)
    r = req(instruction="Extract invoice_number, total and due_date. Reply with a JSON object.",
            json=True, max_tokens=2000)
    data = json.loads(anyio.run(_complete, SimulatedProvider(), r).text)
    assert set(data) == {"invoice_number", "total", "due_date"}
    assert isinstance(data["total"], float) and isinstance(data["due_date"], str)


def test_a_recursive_request_is_answered_with_a_recipe() -> None:
    # #:recursive runs the reply as a recipe: offline, that reply must be one
    from recipe.runtime.lang.reader import read

    out = anyio.run(_complete, SimulatedProvider(), req(recursive=True, max_tokens=40))
    doc = read(out.text)
    assert not doc.errors and len(doc.forms) == 1
    assert out.text.startswith('(finish "[sim ')
    assert out.completion_tokens <= 40
