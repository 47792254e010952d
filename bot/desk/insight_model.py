"""The model's insight on a new lead, through the bot's one client, checked before use; the template's otherwise."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.desk.insights import Insight, TemplateOrganiser, facts_for_model
from bot.desk.screening import DraftScreen
from bot.engine.vocabulary import InsightSource, Priority
from db.models import Lead

log = logging.getLogger(__name__)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
DRAFT_LIMIT = 900  # the prompt asks for 700 characters; a little over is still a message, far over is not one

INSIGHT_SCHEMA: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "lead_insight",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {
                "summary": {"type": "string"},
                "priority": {"type": "string", "enum": [p.value for p in Priority]},
                "reason": {"type": "string"},
                "draft": {"type": "string"},
            },
            "required": ["summary", "priority", "reason", "draft"],
            "additionalProperties": False,
        },
    },
}


class ModelInsight(BaseModel):
    """What the model must return for a lead."""

    model_config = ConfigDict(extra="ignore")

    summary: str = Field(min_length=1, max_length=300)
    priority: Priority
    reason: str = Field(min_length=1, max_length=200)
    draft: str = Field(min_length=1, max_length=DRAFT_LIMIT)

    @field_validator("summary")
    @classmethod
    def _two_lines(cls, value: str) -> str:
        lines = [line.strip() for line in value.strip().splitlines() if line.strip()]
        if len(lines) > 2:
            raise ValueError("more than two lines")
        return "\n".join(lines)


class ModelOrganiser:
    """Asks the model for summary, priority and draft; any failure or doubt gives the template's insight."""

    at_once = False  # a model may take seconds: the card goes first, the insight is edited into it

    def __init__(self, client: openai.AsyncOpenAI, model: str, template: TemplateOrganiser) -> None:
        self.client = client
        self.model = model
        self.template = template
        desk = template.desk
        pack, text, flags = desk.pack, desk.text.insights, desk.text.flags
        who = {"photographer": pack.photographer,
               "studio_name": pack.studio_name, "city": pack.fact_or_confirm("city")}  # fmt: skip
        self._system = text.model_system.format(**who, voice=text.voice.format(**who), team_over=flags.team_over,
                                                deadline_days=flags.deadline_days)  # fmt: skip
        self._facts = json.dumps({key: fact.value for key, fact in pack.studio.facts.items()}, ensure_ascii=False)
        self._rules_numbers = {str(flags.team_over), str(flags.deadline_days)}
        self._secret_lines = [line.strip() for line in self._system.splitlines() if len(line.strip()) > 40]
        self._screen = DraftScreen(desk, self._rules_numbers)

    async def insight(self, lead: Lead) -> Insight:
        """The model's insight for a lead, or the template's when the model fails or says what the facts do not."""
        today = self.template.today()
        fallback = self.template.compose(lead, today)
        lead_json = json.dumps(facts_for_model(lead, self.template.desk), ensure_ascii=False)
        user = self.template.desk.text.insights.model_user.format(
            today=f"{today:%a %b} {today.day}, {today.year}", lead=lead_json, facts=self._facts, example=fallback.draft
        )
        messages = [{"role": "system", "content": self._system}, {"role": "user", "content": user}]
        try:
            response = await self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=0, response_format=INSIGHT_SCHEMA  # type: ignore[arg-type]
            )
            reply = ModelInsight.model_validate_json(response.choices[0].message.content or "")
        except openai.OpenAIError as exc:
            reason = exc.__class__.__name__
            log.warning("model unavailable for a follow-up, using the template: %s", reason, extra={"lead_id": lead.id})
            return fallback
        except ValidationError:
            log.warning("model follow-up failed validation, using the template", extra={"lead_id": lead.id})
            return fallback
        problem = self._problem(reply, user, lead)
        if problem is not None:
            log.warning("model follow-up %s, using the template", problem, extra={"lead_id": lead.id})
            return fallback
        return Insight(reply.summary, reply.priority, reply.reason.strip(), reply.draft.strip(), InsightSource.LLM)

    def _problem(self, reply: ModelInsight, supplied: str, lead: Lead) -> str | None:
        """Why the reply must not be used, or None; the draft may hold only the studio's facts and links and the
        lead's structured facts, never what the prospect's notes say (a phishing link, a number)."""
        known = set(_NUMBER_RE.findall(supplied)) | self._rules_numbers
        said = _NUMBER_RE.findall(f"{reply.summary} {reply.reason} {reply.draft}")
        if any(number not in known for number in said):
            return "stated a number the facts do not"
        if self._screen.foreign(reply.draft, lead):
            return "quoted a link, address or number that is not the studio's"
        if any(line in reply.draft for line in self._secret_lines):
            return "quoted its instructions"
        return None
