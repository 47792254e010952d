"""The content pack's file formats: one pydantic model per YAML file in prompts/, strict about unknown keys.

Apart from bot/content.py because it changes when a file's shape changes, not with how the pack is read or served.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from bot.engine.vocabulary import Step, Use


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Strict):
    """A business fact: the photographer's `value`, and the shipped sample `example` that stands in until it is set."""

    label: str
    value: str | None = None
    example: str | None = None

    @property
    def at_example(self) -> bool:
        """True while the photographer has not replaced the shipped sample."""
        return self.value in (None, "") and bool(self.example)


class Studio(_Strict):
    """Business facts, each written once; an unset value means the photographer will confirm it."""

    facts: dict[str, Fact]
    # Ids of inquiry topics (out_of_scope.yaml) the studio does not take on: declined politely, not sent to the desk.
    not_offered: list[str] = Field(default_factory=list)

    @property
    def example_facts(self) -> list[str]:
        """The keys of facts still at their shipped example."""
        return [key for key, fact in self.facts.items() if fact.at_example]

    @field_validator("facts")
    @classmethod
    def _required(cls, facts: dict[str, Fact]) -> dict[str, Fact]:
        missing = {"studio_name", "photographer", "city"} - facts.keys()
        if missing:
            raise ValueError(f"missing facts: {', '.join(sorted(missing))}")
        return facts


class UseVocab(_Strict):
    label: str
    keywords: list[str]
    # Words that name this use only when the message names no other ("a website" is the company's unless the
    # photos are "brand photos for my website and Instagram").
    generic: list[str] = []


class IntakeVocab(_Strict):
    """Words and labels the intake recognises and shows."""

    uses: dict[Use, UseVocab]
    team_uses: list[Use]
    use_example: str
    people_example: str
    availability_example: str
    name_example: str
    contact_example: str
    availability_options: dict[str, str]
    parts_of_day: dict[Literal["morning", "afternoon", "evening"], list[str]]
    part_of_day_labels: dict[str, str]
    flexible_words: list[str]
    booking_words: list[str]
    confirm_words: list[str]
    edit_words: list[str]
    skip_words: list[str]
    leave_words: list[str]
    greeting_words: list[str]
    edit_fields: dict[Step, str]
    summary_labels: dict[str, str]
    not_given: str
    flexible_label: str


# Lines the bot no longer says: a studio's own messages.yaml written before they were dropped still loads.
RETIRED_MESSAGES = frozenset({"resume_button"})  # the reminder's button is the desk's (bot/desk/content.py)


class Messages(_Strict):
    """The bot's own lines (HTML allowed); each field must be present in messages.yaml."""

    greeting: str
    greeting_buttons: dict[Literal["book", "ask"], str]
    ask_prompt: str
    help: str
    intake_intro: str
    intake_intro_known: str
    ask_use: str
    ask_people: str
    ask_availability: str
    ask_date_conflict: str
    ask_name: str
    ask_contact: str
    ask_notes: str
    contact_button: str
    skip_button: str
    leave_button: str
    got_it: str
    summary_header: str
    summary_line: str
    summary_footer: str
    confirm_button: str
    edit_button: str
    edit_prompt: str
    lead_saved: str
    cancelled: str
    nothing_to_cancel: str
    not_understood: str
    not_understood_again: str
    resume_intake: str
    unknown_command: str
    media_reply: str
    group_reply: str
    edited_reply: str
    stale_button: str
    past_date: str
    too_long: str
    unknown_answer: str
    small_talk: str
    forwarded: str
    forget_confirm: str
    forget_yes_button: str
    forget_no_button: str
    forgotten: str
    forget_kept: str
    mydata_header: str
    mydata_empty: str
    mydata_footer: str
    slow_down: str
    error: str
    photographer_will_confirm: str
    unset_fact: str
    the_photographer: str
    the_studio: str
    example_fact: str
    not_offered: str
    abuse_again: str
    parts_handoff: str
    admin_question: str
    admin_inquiry: str
    admin_message: str
    admin_lead_ref: str
    admin_forgotten: str

    @model_validator(mode="before")
    @classmethod
    def _without_retired(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if k not in RETIRED_MESSAGES} if isinstance(data, dict) else data


class SystemPrompts(_Strict):
    """The model's instructions; {placeholders} are filled by the bot."""

    answer_system: str
    answer_user: str
    extract_system: str
    extract_user: str


class Briefs(RootModel[dict[str, str]]):
    """Preparation briefs by intended use; `other` is the fallback."""

    @field_validator("root")
    @classmethod
    def _has_fallback(cls, briefs: dict[str, str]) -> dict[str, str]:
        if "other" not in briefs:
            raise ValueError("needs a brief for 'other'")
        return briefs


class KnowledgeEntry(_Strict):
    """One topic of the knowledge pack."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    questions: list[str] = Field(min_length=1)
    answer: str
    follow_up: Literal["book", "privacy", "none"] = "none"


class OutOfScopeTopic(_Strict):
    """Messages no entry answers: a redirect, an inquiry for the photographer, abuse, or an injection attempt."""

    id: str
    kind: Literal["redirect", "inquiry", "abuse", "injection"] = "redirect"
    examples: list[str] = Field(min_length=1)
    reply: str


class OutOfScope(_Strict):
    topics: list[OutOfScopeTopic]
    # The redirect topic whose reply answers a message that is about nothing the studio does, when no topic's
    # examples are near it ("how long do I boil an egg?"). None: such a message goes to the photographer.
    default: str | None = None
    # Questions about the studio that no entry answers (the photographer does): they teach the studio-or-not
    # decision what such a question sounds like. They are never matched as a topic.
    about_the_studio: list[str] = []
    # Words that make a message in a language the examples barely use about the studio ("photographe", "sesión").
    studio_words: list[str] = []

    @model_validator(mode="after")
    def _default_is_a_redirect(self) -> OutOfScope:
        if self.default is not None and self.default not in {t.id for t in self.topics if t.kind == "redirect"}:
            raise ValueError(f"default: {self.default!r} is not a redirect topic in out_of_scope.yaml")
        return self
