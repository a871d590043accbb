"""An offline, deterministic provider: the answer is derived from a hash of the request.

Same request → same text, same usage, same latency (latency is drawn from a generator seeded
by the request hash and ``seed``). JSON requests get a valid JSON object. The text mentions
words from the instruction, so recipes that look for them behave plausibly. Usage is counted
with the linter's estimator (:mod:`recipe.runtime.lang.tokens`) so estimates and simulated
runs agree; the completion never exceeds ``max_tokens``.

Environment (for ``recipe run --provider simulated``): ``RECIPE_SIM_LATENCY`` = ``0.2`` (fixed
seconds) or ``0.05-0.4`` (uniform range), ``RECIPE_SIM_SEED`` = integer.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Mapping

import anyio

from ...lang.tokens import chat_prompt_tokens, count_tokens
from ..services import LLMRequest
from . import Provider, ProviderResponse, user_text

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = {"the", "and", "for", "with", "that", "this", "you", "are", "your", "from", "into",
         "json", "return", "only", "each", "give", "given", "following", "answer"}
_FILLER = ("considering", "the", "request", "carefully", "result", "summary", "about",
           "noted", "points", "briefly", "overall", "detail")
IMAGE_TOKENS = 85  # a low-detail image, as OpenAI counts it


def parse_latency(text: str) -> float | tuple[float, float]:
    text = text.strip()
    if "-" in text:
        lo, hi = text.split("-", 1)
        return float(lo), float(hi)
    return float(text)


class SimulatedProvider(Provider):
    name = "simulated"

    def __init__(self, latency: float | tuple[float, float] = 0.0, seed: int = 0,
                 default_max_tokens: int = 120) -> None:
        self.latency = latency
        self.seed = seed
        self.default_max_tokens = default_max_tokens
        self.calls = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SimulatedProvider:
        latency: float | tuple[float, float] = 0.0
        if env.get("RECIPE_SIM_LATENCY"):
            latency = parse_latency(env["RECIPE_SIM_LATENCY"])
        return cls(latency=latency, seed=int(env.get("RECIPE_SIM_SEED", "0") or 0))

    def describe(self) -> str:
        return "simulated (offline, deterministic)"

    def _digest(self, request: LLMRequest) -> bytes:
        key = json.dumps([request.model, request.instruction, request.data, request.temperature,
                          request.max_tokens, request.json, list(request.images), self.seed])
        return hashlib.sha256(key.encode()).digest()

    def latency_for(self, request: LLMRequest) -> float:
        if isinstance(self.latency, tuple):
            rng = random.Random(self._digest(request) + b"latency")
            return rng.uniform(*self.latency)
        return float(self.latency)

    def answer(self, request: LLMRequest, max_tokens: int | None = None) -> str:
        digest = self._digest(request)
        rng = random.Random(digest)
        words = [w.lower() for w in _WORD.findall(request.instruction) if w.lower() not in _STOP]
        seen: dict[str, None] = dict.fromkeys(words)
        vocab = list(seen) or list(_FILLER)
        n = rng.randint(6, 18)
        picked = [rng.choice(vocab) if rng.random() < 0.6 else rng.choice(_FILLER)
                  for _ in range(n)]
        tag = digest.hex()[:8]
        limit = max_tokens if max_tokens is not None else (request.max_tokens or 10**9)
        if request.json:
            shape = json_shape(request.instruction)
            obj: dict[str, object]
            if shape is not None:
                filled = _fill(shape, rng, vocab)
                obj = filled if isinstance(filled, dict) else {"items": filled}
            else:
                obj = {"answer": " ".join(picked), "keywords": vocab[:5],
                       "score": round(rng.random(), 3), "id": tag}
            text = json.dumps(obj)
            while count_tokens(text) > limit and len(obj) > 0:
                obj.popitem()
                text = json.dumps(obj)
            return text
        text = f"[sim {tag}] " + " ".join(picked) + "."
        if request.recursive:
            # The reply is run as a recipe: make it one (the words are plain ASCII letters).
            return f'(finish "{_fit(text, max(limit - 4, 1))}")'
        return _fit(text, limit)

    async def complete(self, request: LLMRequest, *, max_tokens: int | None,
                       timeout: float) -> ProviderResponse:
        self.calls += 1
        delay = self.latency_for(request)
        if delay > 0:
            await anyio.sleep(delay)
        text = self.answer(request, max_tokens)
        prompt = chat_prompt_tokens(request.instruction, user_text(request)) \
            + IMAGE_TOKENS * len(request.images)
        return ProviderResponse(text=text, prompt_tokens=prompt,
                                completion_tokens=count_tokens(text))


_TYPE_WORDS = ("string", "str", "text", "int", "integer", "number", "float", "bool", "boolean")
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_][\w-]*)\s*:")
_TYPE_VALUE = re.compile(r"(?<=[:\[,])\s*(" + "|".join(_TYPE_WORDS) + r")\b(?=\s*[,}\]])")
_EXTRACT = re.compile(r"\bextract\s+(?:the\s+|all\s+)?([\w ,]+?)(?:\s+from\b|[.:;\n]|$)",
                      re.IGNORECASE)
_NUMERIC = ("total", "amount", "count", "number", "price", "score", "age", "year", "quantity")


def json_shape(instruction: str) -> object | None:
    """The shape a JSON answer should have, read from the instruction: a template such as
    ``{"mentions": [{"mention": string, "page": int}]}``, or the fields of "Extract a, b and
    c". None when the instruction names no shape."""
    start = instruction.find("{")
    if start >= 0:
        depth = 0
        for end in range(start, len(instruction)):
            ch = instruction[end]
            if ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    raw = _BARE_KEY.sub(r'\1"\2":', instruction[start:end + 1])
                    raw = _TYPE_VALUE.sub(lambda m: json.dumps(f"<{m.group(1)}>"), raw)
                    try:
                        shape: object = json.loads(raw)
                    except ValueError:
                        break
                    return shape
    match = _EXTRACT.search(instruction)
    if match:
        names = [n.strip().lower().replace(" ", "_")
                 for n in re.split(r",|\band\b", match.group(1)) if n.strip()]
        if names:
            return {n: "<number>" if any(w in n for w in _NUMERIC) else "<string>"
                    for n in names[:12]}
    return None


def _fill(shape: object, rng: random.Random, vocab: list[str], depth: int = 0) -> object:
    """A deterministic value of the given shape."""
    if depth > 6:
        return None
    if isinstance(shape, dict):
        return {str(k): _fill(v, rng, vocab, depth + 1) for k, v in shape.items()}
    if isinstance(shape, list):
        item = shape[0] if shape else "<string>"
        return [_fill(item, rng, vocab, depth + 1) for _ in range(rng.randint(1, 3))]
    if shape in ("<int>", "<integer>"):
        return rng.randint(1, 100)
    if shape in ("<number>", "<float>"):
        return round(rng.uniform(1, 1000), 2)
    if shape in ("<bool>", "<boolean>"):
        return rng.random() < 0.5
    if isinstance(shape, str) and shape.startswith("<"):
        return " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 6)))
    return shape  # a literal in the template (an enum value, a number) is kept


def _fit(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` tokens."""
    if count_tokens(text) <= limit:
        return text
    out: list[str] = []
    for word in text.split(" "):
        if count_tokens(" ".join([*out, word])) > limit:
            break
        out.append(word)
    return " ".join(out)
