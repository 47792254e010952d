"""Reading intake facts from free text, in any order: use, people, availability, name, email, phone."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError

from bot.content import IntakeVocab
from bot.engine.availability import AvailabilityResult, _has_phrase, parse_availability
from bot.engine.state import Window

DEFAULT_REGION = "CA"
_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LOOSE_EMAIL_RE = re.compile(r"\S+@\S*")
_NAME_WORD = r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*"
_NAME_RE = re.compile(
    rf"(?:^|[\s,.!;])(?:i am|i'm|i’m|im|my name is|my name's|name is|name:|this is|call me|it's|it is)\s+({_NAME_WORD}(?:\s+{_NAME_WORD})?)",
    re.IGNORECASE,
)
_HERE_RE = re.compile(rf"^(?:hi|hello|hey)?[\s,!]*({_NAME_WORD})\s+here\b", re.IGNORECASE)
# Words that follow "I'm" without being a name ("I'm free Tuesday", "I'm looking for…").
_NOT_NAMES = frozenset(
    """a an the free available looking interested not busy flexible here good fine ok okay just also wondering hoping
    planning thinking trying going new after curious from in at on for with so very really sure ready open booked
    around about only still keen happy glad new back done calling writing asking reaching contacting an actor actress
    model realtor coach speaker author photographer student manager ceo founder lawyer doctor nurse engineer
    gonna wanting needing after hey hi hello and or but""".split()
)
_PEOPLE_RE = re.compile(
    r"\b(?:team|group|crew|staff|office|company|department) of (?:about |around |roughly |~)?(\d{1,3})\b"
    r"|\b(\d{1,3})\s*(?:\+\s*)?(?:people|persons|staff|employees|folks|of us|team members|colleagues|members|headshots|heads|ppl)\b"
    r"|\bfor (\d{1,3})\b(?!\s*(?:am|pm|:|h\b|o'?clock|min|hour|dollars|\$|%))",
    re.IGNORECASE,
)
_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS |= {"dozen": 12, "a dozen": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}
_BARE_NUMBER_RE = re.compile(r"^(?:about|around|roughly|maybe|~)?\s*(\d{1,3}|[a-z ]+?)\s*(?:people|persons|of us|ppl)?\.?$", re.I)
_QUESTION_WORDS = ("how", "what", "when", "where", "why", "who", "which", "do", "does", "did", "can", "could", "is", "are",
                   "should", "will", "would", "may", "whats", "what's", "how's", "hows", "any", "tell")  # fmt: skip


@dataclass
class Extraction:
    """Facts found in one message; None means "not mentioned"."""

    use: str | None = None
    use_text: str | None = None
    people: int | None = None
    availability: AvailabilityResult = field(default_factory=AvailabilityResult)
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    invalid_email: bool = False

    @property
    def anything(self) -> bool:
        """Whether any intake fact was found."""
        return any((self.use, self.people, self.availability.found, self.name, self.email, self.phone))


def extract(text: str, now: datetime, vocab: IntakeVocab) -> Extraction:
    """Every intake fact that `text` states, resolved against `now` in the studio's zone."""
    found = Extraction()
    found.email, found.invalid_email = find_email(text)
    rest = _EMAIL_RE.sub(" ", text)
    found.phone = find_phone(rest)
    found.use = find_use(text, vocab)
    if found.use is not None:
        found.use_text = text.strip()[:500]
    found.people = find_people(rest)
    found.availability = parse_availability(rest, now, vocab)
    found.name = find_name(rest)
    return found


def clean_text(text: str) -> str:
    """Text without invisible characters (zero-width, direction marks, controls) that break parsing."""
    return _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", text)).strip()


def find_email(text: str) -> tuple[str | None, bool]:
    """The first valid email address (normalised), and whether an invalid-looking one was seen."""
    invalid = bool(_LOOSE_EMAIL_RE.search(text)) and not _EMAIL_RE.search(text)
    for candidate in _EMAIL_RE.findall(text):
        try:
            return validate_email(candidate.strip(".'"), check_deliverability=False).normalized, False
        except EmailNotValidError:
            invalid = True
    return None, invalid


def find_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The first valid phone number in E.164, reading local numbers as the studio's region."""
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """A phone number as shared by a contact button ("16045550123", "+1 604…") in E.164, or None."""
    raw = raw.strip()
    try:
        number = phonenumbers.parse(raw if raw.startswith("+") else "+" + raw, None)
        if not phonenumbers.is_valid_number(number):
            number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else None


def find_use(text: str, vocab: IntakeVocab) -> str | None:
    """The intended use named in the text; a team beats the page it is for ("our team page")."""
    lowered = " " + text.lower() + " "
    hits: list[tuple[int, int, str]] = []
    for key, use in vocab.uses.items():
        for keyword in use.keywords:
            match = re.search(rf"(?<![\w@.]){re.escape(keyword.lower())}(?![\w@])", lowered)
            if match:
                hits.append((0 if key in vocab.team_uses else 1, match.start(), key))
    return min(hits)[2] if hits else None


def find_people(text: str) -> int | None:
    """A head count such as "a team of 12" or "8 people"."""
    match = _PEOPLE_RE.search(text)
    if match:
        value = int(next(g for g in match.groups() if g))
        return value if 1 <= value <= 500 else None
    return None


def read_count(text: str) -> int | None:
    """A bare answer to "how many people?": "12", "about 8", "twelve"."""
    found = find_people(text)
    if found is not None:
        return found
    match = _BARE_NUMBER_RE.match(text.strip())
    if not match:
        return None
    token = match.group(1).strip().lower()
    value = int(token) if token.isdigit() else _NUMBER_WORDS.get(token)
    return value if value is not None and 1 <= value <= 500 else None


def find_name(text: str) -> str | None:
    """A name introduced as "I'm Dana", "my name is Dana Lee" or "Dana here"."""
    for match in [*_NAME_RE.finditer(text), *_HERE_RE.finditer(text.strip())]:
        words = match.group(1).split()
        if words[0].lower() in _NOT_NAMES:
            continue
        if len(words) > 1 and (words[1].lower() in _NOT_NAMES or words[1][0].islower() and words[0][0].isupper()):
            words = words[:1]
        return tidy_name(" ".join(words))
    return None


def read_name(text: str) -> str | None:
    """A bare answer to "what name?": one to four words of letters."""
    words = text.strip().strip(".!").split()
    if not 1 <= len(words) <= 4 or not all(re.fullmatch(_NAME_WORD, w) for w in words):
        return None
    if words[0].lower() in _NOT_NAMES:
        return None
    return tidy_name(" ".join(words))


def tidy_name(name: str) -> str:
    """Capitalise a name typed all in lower case; keep any other casing as the person wrote it."""
    return name.title() if name.islower() else name


def looks_like_question(text: str) -> bool:
    """Whether a message reads as a question rather than an answer."""
    stripped = text.strip().lower()
    if stripped.endswith("?"):
        return True
    first = re.split(r"[\s,]+", stripped, maxsplit=1)[0] if stripped else ""
    return first in _QUESTION_WORDS and len(stripped.split()) >= 3


def has_any(text: str, phrases: list[str]) -> bool:
    """Whether any phrase occurs in the text as whole words."""
    lowered = " " + text.lower() + " "
    return any(_has_phrase(lowered, p) for p in phrases)


def is_exactly(text: str, phrases: list[str]) -> bool:
    """Whether the whole message is one of the phrases (ignoring case and end punctuation)."""
    cleaned = re.sub(r"[\s.!]+$", "", text.strip().lower())
    return cleaned in {p.lower() for p in phrases}


def is_past(when: date, today: date) -> bool:
    """Whether a date is before today."""
    return when < today


def from_model(data: dict[str, Any], text: str, now: datetime, vocab: IntakeVocab) -> Extraction:
    """Facts a model read, each validated like typed input; anything invalid is dropped, never stored."""
    found = Extraction()
    use = data.get("use")
    if isinstance(use, str) and use in vocab.uses:
        found.use, found.use_text = use, text.strip()[:500]
    people = data.get("people")
    if isinstance(people, int) and not isinstance(people, bool) and 1 <= people <= 500:
        found.people = people
    if isinstance(data.get("email"), str):
        found.email = find_email(data["email"])[0]
    if isinstance(data.get("phone"), str):
        found.phone = find_phone(data["phone"])
    if isinstance(data.get("name"), str):
        found.name = read_name(data["name"])
    windows = []
    for raw in data.get("availability") or []:
        try:
            window = Window.model_validate(raw)
        except ValidationError:
            continue
        if window.date is None or window.date >= now.date():
            windows.append(window)
    found.availability = AvailabilityResult(windows=windows)
    return found
