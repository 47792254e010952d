"""Regular-expression parsing and a keyword FAQ: deliberately simple, as in PTB's examples."""

from __future__ import annotations

import re

USES = {
    "linkedin": "LinkedIn",
    "website": "website",
    "acting": "acting",
    "model": "modelling",
    "dating": "dating",
    "speak": "speaking",
    "team": "team",
}
_USE = re.compile("|".join(USES), re.IGNORECASE)
_AVAILABILITY = re.compile(
    r"\b(?:(?:next|this)\s+)?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*(?:\s+(?:morning|afternoon|evening))?"
    r"|\b(?:weekends?|weekdays?|evenings?|mornings?)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?i:i'm|i am|my name is|this is)\s+([A-Z][\w'-]+)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*\w")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
BOOKING_HINT = r"(?i)@|\b(?:book|linkedin|website|acting|dating|i'm|i am|my name)\b"

FAQ = (
    (
        re.compile(r"price|cost|how much|package", re.IGNORECASE),
        "Here's what's on offer right now:\n"
        "Essential, CAD 295: one look, 3 retouched images\n"
        "Professional, CAD 450: two looks, 6 retouched images\n"
        "Personal brand, CAD 750: up to four looks, 12 retouched images, studio and outdoor\n"
        "Not sure which one fits? Tell me where the photos will be used and I'll suggest one.",
    ),
    (
        re.compile(r"wear|clothes|outfit", re.IGNORECASE),
        "Wear what you'd wear to meet an important client, in the style of your field.\n"
        "• Solid colours photograph best; skip busy patterns, fine stripes and big logos.\n"
        "• Fit matters more than price. Bring a second top if your package has two looks.",
    ),
)
UNKNOWN = "Good question, and I'd rather not guess. The photographer will answer you here personally."


def parse_facts(text: str) -> dict[str, str]:
    """The booking facts a free-text message states: use, availability, name, contact."""
    facts: dict[str, str] = {}
    if match := _USE.search(text):
        facts["use"] = USES[match.group(0).lower()]
    if match := _AVAILABILITY.search(text):
        facts["availability"] = match.group(0)
    if match := _NAME.search(text):
        facts["name"] = match.group(1)
    if contact := parse_contact(text):
        facts["contact"] = contact
    return facts


def parse_contact(text: str) -> str | None:
    """An email address or phone number in the text."""
    match = _EMAIL.search(text) or _PHONE.search(text)
    return match.group(0) if match else None


def answer(question: str) -> str:
    """The FAQ answer whose keywords the question contains."""
    return next((text for pattern, text in FAQ if pattern.search(question)), UNKNOWN)
