"""The optional model: phrases curated answers and reads hard-to-parse intake text, never trusted unchecked."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz import fuzz

from bot.content import ContentPack, KnowledgeEntry
from bot.grounding import ungrounded

log = logging.getLogger(__name__)
DraftSink = Callable[[str], Awaitable[None]]
_ANSWER_START_RE = re.compile(r'"answer"\s*:\s*"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
DRAFT_EVERY_CHARS = 60
# How close (rapidfuzz partial ratio, 0-100) an answer may come to a line of the model's instructions.
LEAK_SIMILARITY = 80


class GroundedAnswer(BaseModel):
    """What the model must return for a question."""

    model_config = ConfigDict(extra="ignore")

    answer: str = Field(min_length=1, max_length=1500)
    entry_ids: list[str]


class ModelFacts(BaseModel):
    """Intake facts as the model reads them; validated again by the engine's own model before use."""

    model_config = ConfigDict(extra="ignore")

    use: str | None = None
    people: int | None = None
    availability: list[dict[str, Any]] = Field(default_factory=list)
    name: str | None = None
    email: str | None = None
    phone: str | None = None


ANSWER_SCHEMA: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "grounded_answer",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"answer": {"type": "string"}, "entry_ids": {"type": "array", "items": {"type": "string"}}},
            "required": ["answer", "entry_ids"],
            "additionalProperties": False,
        },
    },
}


def make_client(api_key: str, base_url: str | None, timeout: float) -> openai.AsyncOpenAI:
    """The one client of the process: bounded retries on 429/5xx (with the server's Retry-After), a hard timeout."""
    return openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=2)


def _context(supplied: list[dict[str, str]]) -> str:
    # The entries as the model received them, their facts filled in: what a claim may rest on.
    return "\n".join(f"{s['title']}\n{s['answer']}" for s in supplied)


class ModelPhraser:
    """Asks the model to phrase the studio's own entries, and checks the reply before anyone sees it."""

    def __init__(self, client: openai.AsyncOpenAI, model: str, content: ContentPack) -> None:
        self.client = client
        self.model = model
        self.content = content
        prompts = content.system
        self._system = prompts.answer_system.format(
            studio_name=content.studio_name,
            photographer=content.photographer,
            city=content.fact_or_confirm("city"),
        )
        self._facts = {key: fact.value for key, fact in content.studio.facts.items()}
        self._secret_lines = [line.strip() for line in self._system.splitlines() if len(line.strip()) > 40]

    async def phrase(self, question: str, entries: list[KnowledgeEntry], on_draft: DraftSink | None = None) -> str | None:
        """The model's wording of the entries for this question, or None when it must not be used."""
        supplied = [{"id": e.id, "title": e.title, "answer": self.content.render_answer(e)} for e in entries]
        user = self.content.system.answer_user.format(
            entries=json.dumps(supplied, ensure_ascii=False), facts=json.dumps(self._facts, ensure_ascii=False), question=question
        )
        messages = [{"role": "system", "content": self._system}, {"role": "user", "content": user}]
        try:
            raw = await (self._stream(messages, on_draft, supplied) if on_draft else self._complete(messages))
        except openai.OpenAIError as exc:
            log.warning("model unavailable, using the curated answer: %s", exc.__class__.__name__)
            return None
        return self._checked(raw, supplied)

    async def _complete(self, messages: list[dict[str, str]]) -> str:
        response = await self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=0, response_format=ANSWER_SCHEMA  # type: ignore[arg-type]
        )
        return response.choices[0].message.content or ""

    async def _stream(self, messages: list[dict[str, str]], on_draft: DraftSink, supplied: list[dict[str, str]]) -> str:
        stream = await self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=0, response_format=ANSWER_SCHEMA, stream=True  # type: ignore[arg-type]
        )
        raw, shown, trusted = "", 0, True
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                raw += chunk.choices[0].delta.content
                partial = partial_answer(raw)
                if trusted and partial is not None and len(partial) - shown >= DRAFT_EVERY_CHARS:
                    # Only text that has passed the checks is shown; at the first doubt the drafts stop and the
                    # finished reply is checked as a whole (or replaced by the curated answer).
                    whole_words = partial[: partial.rfind(" ")] if " " in partial else ""
                    trusted = self._trusted(whole_words, supplied)
                    if trusted and whole_words:
                        shown = len(partial)
                        await on_draft(whole_words)
        return raw

    def _checked(self, raw: str, supplied: list[dict[str, str]]) -> str | None:
        try:
            reply = GroundedAnswer.model_validate_json(raw)
        except ValidationError:
            log.warning("model reply failed validation; using the curated answer")
            return None
        ids = {s["id"] for s in supplied}
        if not ids & set(reply.entry_ids):
            log.warning("model reply cited no supplied entry; using the curated answer")
            return None
        if not self._trusted(reply.answer, supplied):
            return None
        return reply.answer.strip()

    def _trusted(self, answer: str, supplied: list[dict[str, str]]) -> bool:
        """Whether every amount, duration, date, link and contact in the text is in the entries the model was given,
        and it quotes none of its instructions."""
        if ungrounded(answer, _context(supplied)):
            log.warning("model reply stated something the entries do not; using the curated answer")
            return False
        # Quoted or lightly reworded: a line of the instructions that the answer all but contains.
        text = answer.casefold()
        if any(len(text) >= 0.8 * len(line) and fuzz.partial_ratio(line.casefold(), text) >= LEAK_SIMILARITY
               for line in self._secret_lines):  # fmt: skip
            log.warning("model reply quoted its instructions; using the curated answer")
            return False
        return True

    async def extract(self, text: str, asked: str, now: datetime) -> ModelFacts | None:
        """Intake facts the model reads in `text`, or None (never raises)."""
        prompts = self.content.system
        system = prompts.extract_system.format(today=now.date().isoformat(), weekday=f"{now:%A}", timezone=str(now.tzinfo))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompts.extract_user.format(asked=asked, text=text)}]
        try:
            response = await self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=0, response_format={"type": "json_object"}  # type: ignore[arg-type]
            )
            return ModelFacts.model_validate_json(response.choices[0].message.content or "")
        except (openai.OpenAIError, ValidationError) as exc:
            log.warning("model extraction unusable: %s", exc.__class__.__name__)
            return None


def partial_answer(raw: str) -> str | None:
    """The "answer" string of a JSON object still being streamed, decoded as far as it has arrived."""
    match = _ANSWER_START_RE.search(raw)
    if match is None:
        return None
    out: list[str] = []
    i = match.end()
    while i < len(raw):
        char = raw[i]
        if char == '"':
            break
        if char == "\\":
            if i + 1 >= len(raw):
                break
            code = raw[i + 1]
            if code == "u":
                if i + 6 > len(raw):
                    break
                out.append(chr(int(raw[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(code, code))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
