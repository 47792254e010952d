"""The stored shape of a conversation: its step and the facts gathered so far."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from bot.engine.vocabulary import Step, Use

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PartOfDay = Literal["morning", "afternoon", "evening", "any"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


INTAKE_ORDER = (Step.USE, Step.PEOPLE, Step.AVAILABILITY, Step.NAME, Step.CONTACT, Step.NOTES)


class Window(BaseModel):
    """One availability window, resolved in the studio's time zone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date | None = None
    weekday: Weekday | None = None
    part_of_day: PartOfDay = "any"
    # Clock bounds ("after 3", "before noon"); absent in windows stored before they existed, hence the defaults.
    start: dt.time | None = None
    end: dt.time | None = None

    def as_json(self) -> dict[str, str | None]:
        """The export shape: ISO date or null, weekday or null, part of day, and "HH:MM" bounds or null."""
        return {
            "date": self.date.isoformat() if self.date else None,
            "weekday": self.weekday,
            "part_of_day": self.part_of_day,
            "start": self.start.strftime("%H:%M") if self.start else None,
            "end": self.end.strftime("%H:%M") if self.end else None,
        }


class IntakeFacts(BaseModel):
    """Everything a lead needs; the same model validates rules' and a model's extraction."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    use: Use | None = None
    use_text: str | None = Field(default=None, max_length=500)
    people: int | None = Field(default=None, ge=1, le=500)
    availability: list[Window] = Field(default_factory=list)
    availability_text: str | None = Field(default=None, max_length=500)
    availability_flexible: bool = False
    name: str | None = Field(default=None, min_length=1, max_length=128)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")
    notes: str | None = Field(default=None, max_length=2000)
    skipped: list[Step] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _clean_name(cls, value: str | None) -> str | None:
        return " ".join(value.split()) if value else value

    def has(self, step: Step, team_uses: frozenset[Use]) -> bool:
        """Whether the fact a step asks for is known (or deliberately skipped)."""
        if step in self.skipped:
            return True
        if step is Step.USE:
            return self.use is not None
        if step is Step.PEOPLE:
            return self.use not in team_uses or self.people is not None
        if step is Step.AVAILABILITY:
            return bool(self.availability) or self.availability_flexible
        if step is Step.NAME:
            return self.name is not None
        if step is Step.CONTACT:
            return self.email is not None or self.phone is not None
        if step is Step.NOTES:
            return self.notes is not None
        return True


class ConversationState(BaseModel):
    """A chat's whole state, stored as one JSON document beside its version number."""

    model_config = ConfigDict(extra="forbid")

    step: Step = Step.IDLE
    facts: IntakeFacts = Field(default_factory=IntakeFacts)
    misses: int = 0
    abuse: int = 0  # abusive messages in a row: answered once, then let be
    # The two readings of a weekday that contradicts its date ("Friday Dec 10"), offered until one is chosen.
    choices: list[Window] = Field(default_factory=list, max_length=2)
    source: str | None = None
    last_lead_id: int | None = None
    version: int = 0
