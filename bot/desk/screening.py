"""What a follow-up draft may say: the studio's own facts and links, never a link, address or number the prospect wrote.

A prospect's notes are theirs to write anything in, a phishing link included, and the model reads them. So the
numbers, links, email addresses and phone numbers a draft may contain are those of the studio (its facts, the desk's
own wording) and of the lead's structured facts (the date and size of the session); anything else keeps a model's
draft out (the template's is used) and stops Send draft. What the prospect's own words contain of that kind is shown
to the photographer, flagged as theirs, in the lead's card, never in the text that Send sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.desk.cards import Desk
from bot.engine.render import describe_windows, facts_of_lead
from db.models import Lead

_LINK_RE = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>\"]+"  # a link with its scheme or www
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,24}/[^\s<>\"]*"  # a bare domain with a path: evil.example/pay
    r"|[^\s@<>,;:\"]+@[^\s@<>,;:\"]+\.[a-z]{2,24}\b"  # an email address
)
_NUMBER_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_TRAILING = ".,;:!?)]}'\""


def tokens(text: str) -> list[str]:
    """The links, email addresses and numbers in a text, in order (a number inside a link is the link's)."""
    found = [m.group(0).rstrip(_TRAILING) for m in _LINK_RE.finditer(text)]
    rest = _LINK_RE.sub(" ", text)
    return found + [m.group(0) for m in _NUMBER_RE.finditer(rest)]


class DraftScreen:
    """Tells a draft's own tokens from everybody else's, for one desk."""

    def __init__(self, desk: Desk, extra: Iterable[str] = ()) -> None:
        self.desk = desk
        studio = [fact.value or "" for fact in desk.pack.studio.facts.values()]
        wording = desk.text.insights.model_dump_json()  # the desk's own template words, numbers included
        self.studio = frozenset(_folded(tokens(" ".join([*studio, wording, *extra]))))

    def allowed(self, lead: Lead) -> frozenset[str]:
        """What a draft to this lead may contain: the studio's tokens and the lead's structured facts'."""
        facts = facts_of_lead(lead)
        when = describe_windows(facts.availability, self.desk.pack, facts.availability_flexible)
        return self.studio | frozenset(_folded(tokens(" ".join([str(lead.people or ""), when, lead.name or ""]))))

    def foreign(self, draft: str, lead: Lead) -> list[str]:
        """The links, addresses and numbers in a draft that are neither the studio's nor the lead's facts."""
        allowed = self.allowed(lead)
        return _unique(t for t in tokens(draft) if t.casefold() not in allowed)

    def quotes(self, lead: Lead) -> list[str]:
        """What the prospect's own words (notes, their words for the use) hold of links, addresses and numbers that
        are not the studio's: shown flagged to the photographer, never put in a draft."""
        their_use = lead.intended_use_text if lead.intended_use == "other" else None  # else often the whole message
        own = " ".join(t for t in (lead.notes, their_use) if t)
        theirs = {(lead.email or "").casefold()}  # their own address is on the card already
        return _unique(t for t in tokens(own) if t.casefold() not in self.studio | theirs)


def _folded(found: Iterable[str]) -> list[str]:
    return [t.casefold() for t in found]


def _unique(found: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(found))
