"""What a model's answer claims (amounts, durations, dates, percentages, links, contacts), checked against the entries.

A number counts with its unit: "CAD 5" is not grounded by "5 business days", nor "$1" by "1 to 2 weeks".
"""

from __future__ import annotations

import re

_NUMBER = r"\d+(?:[.,]\d+)?"
_CLAIMS = (
    # money, before or after the number
    ("$", re.compile(rf"(?:\$|C\$|CAD\s?|USD\s?)\s?({_NUMBER})|({_NUMBER})\s?(?:\$|dollars?\b|bucks\b|CAD\b)", re.I)),
    ("%", re.compile(rf"({_NUMBER})\s?(?:%|percent\b|per\s+cent\b)", re.I)),
    ("min", re.compile(rf"({_NUMBER})(?:\s?-\s?|\s+to\s+)?(?:{_NUMBER})?\s?(?:minutes?|mins?)\b", re.I)),
    ("h", re.compile(rf"({_NUMBER})\s?(?:hours?|hrs?)\b", re.I)),
    ("d", re.compile(rf"({_NUMBER})\s?(?:business\s+|working\s+)?days?\b", re.I)),
    ("w", re.compile(rf"({_NUMBER})\s?weeks?\b", re.I)),
    ("mo", re.compile(rf"({_NUMBER})\s?months?\b", re.I)),
    ("y", re.compile(rf"({_NUMBER})\s?years?\b", re.I)),
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = re.compile(rf"\b({_MONTHS})[a-z]*\.?\s+(\d{{1,2}})\b|\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS})[a-z]*\b", re.I)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|ca|net|org|io|co|app|me|ly)\b[^\s<>\"')]*", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(_NUMBER)


def claims(text: str) -> set[str]:
    """Every checkable claim in a text, normalised: "$295", "45min", "dec 3", "example.com/portfolio", "12"."""
    found: set[str] = set()
    for unit, pattern in _CLAIMS:
        for groups in pattern.findall(text):
            value = next((g for g in (groups if isinstance(groups, tuple) else (groups,)) if g), "")
            found.add(f"{unit}{value.replace(',', '.')}" if unit in "$%" else f"{value.replace(',', '.')}{unit}")
    for month, day, day_first, month_after in _DATE.findall(text):
        found.add(f"{(month or month_after).lower()[:3]} {int(day or day_first)}")
    emails = _EMAIL.findall(text)
    found |= {e.lower() for e in emails}
    without_emails = _EMAIL.sub(" ", text)
    found |= {u.lower().rstrip(".,;:!?").removeprefix("https://").removeprefix("http://").removeprefix("www.")
              for u in _URL.findall(without_emails)}  # fmt: skip
    found |= set(_DIGITS.findall(_URL.sub(" ", without_emails)))  # and every bare number, as before
    return found


def ungrounded(answer: str, context: str) -> set[str]:
    """The claims in `answer` that `context` (the entries the model was given) does not make."""
    return claims(answer) - claims(context)
