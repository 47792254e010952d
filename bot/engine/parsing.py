"""Reading intake facts from free text, in any order: use, people, availability, name, email, phone."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError

from bot.content import IntakeVocab
from bot.engine.availability import MAX_WINDOWS, AvailabilityResult, _has_phrase, parse_availability
from bot.engine.names import CONTACT_MARK, MAX_NAME, find_name, read_name, tidy_name
from bot.engine.people import count_people
from bot.engine.state import Window
from bot.engine.timewords import tokenize
from bot.engine.vocabulary import Use

__all__ = ["MAX_NAME", "find_name", "read_name", "tidy_name"]

DEFAULT_REGION = "CA"
MAX_USE_TEXT = 500
# Bounded parts (RFC 5321's 64-character local part) keep a 4,096-character word from costing quadratic time.
_EMAIL_RE = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
_PHONE_RUN_RE = re.compile(r"\+?\(?\d[\d\s().\-/]{5,24}\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?")
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS |= {"dozen": 12, "a dozen": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}
_BARE_NUMBER_RE = re.compile(r"^(?:about|around|roughly|maybe|~|approx\.?|approximately)?\s*(\d{1,3}|[a-z ]+?)\s*(?:people|persons|of us|ppl)?\.?$", re.I)
_QUESTION_WORDS = ("how", "what", "when", "where", "why", "who", "which", "do", "does", "did", "can", "could", "is", "are",
                   "should", "will", "would", "may", "whats", "what's", "how's", "hows", "any", "tell")  # fmt: skip
# A greeting addressed to the studio's people is not a team booking ("Hi team, …").
_GREETING_TEAM_RE = re.compile(r"^\W*(?:hi|hello|hey|dear|bonjour|salut)\s+(?:there\s+)?(?:team|all|folks)\b", re.I)


@dataclass
class Extraction:
    """Facts found in one message; None means "not mentioned"."""

    use: Use | None = None
    use_text: str | None = None
    people: int | None = None
    availability: AvailabilityResult = field(default_factory=AvailabilityResult)
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    too_long: bool = False  # the answer to the question asked was longer than the fact may be

    @property
    def anything(self) -> bool:
        """Whether any intake fact was found (a weekday that contradicts its date counts: it is asked about)."""
        found = (self.use, self.people, self.availability.found, self.availability.conflict, self.name, self.email, self.phone)
        return any(found)


def extract(text: str, now: datetime, vocab: IntakeVocab) -> Extraction:
    """Every intake fact that `text` states, resolved against `now` in the studio's zone."""
    found = Extraction()
    found.email = find_email(text)
    rest = _EMAIL_RE.sub(CONTACT_MARK, text) if "@" in text else text
    found.phone, spans = find_phone_spans(rest)
    for start, end in reversed(spans):
        rest = rest[:start] + CONTACT_MARK + rest[end:]
    found.use = find_use(text, vocab)
    count = count_people(rest)
    if count is not None:
        found.people = count.people
        if count.colleagues and not has_any(text, vocab.uses[Use.OTHER].keywords):
            found.use = Use.TEAM  # several colleagues make a team session, whatever page the photos are for
    if found.use is not None:
        found.use_text = " ".join(text.split())[:MAX_USE_TEXT]
    found.availability = parse_availability(rest, now, vocab)
    found.name = find_name(rest)
    return found


def clean_text(text: str) -> str:
    """Text without invisible characters (zero-width, direction marks, controls) that break parsing."""
    return _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", text)).strip()


def find_email(text: str) -> str | None:
    """The first valid email address in the text, normalised."""
    if "@" not in text:  # the pattern is costly on a long word; without an "@" there is nothing to find
        return None
    for candidate in _EMAIL_RE.findall(text):
        try:
            return validate_email(candidate.strip(".'"), check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def find_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The first valid phone number in E.164, reading local numbers as the studio's region."""
    return find_phone_spans(text, region)[0]


_SENTENCE_ONE_RE = re.compile(r"1\.\s+")


def find_phone_spans(text: str, region: str = DEFAULT_REGION) -> tuple[str | None, list[tuple[int, int]]]:
    """The first phone number in E.164 and where every number sits in the text. A number written with its
    country code ("+44 7700 900123") is kept when it is possible even if the numbering plan does not list it."""
    first: str | None = None
    spans: list[tuple[int, int]] = []
    # The matcher is slow on long texts full of digits, so it only sees runs that could be a number.
    for run in _PHONE_RUN_RE.finditer(text):
        digits, shift = run.group(0), 0
        if digits.startswith("00") and digits[2:3].isdigit() and digits[2] != "0":
            digits, shift = "+" + digits[2:], 1  # "0044 7700 900123": 00 is how most of the world dials out
        for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE):
            if leniency is phonenumbers.Leniency.POSSIBLE and not digits.startswith("+"):
                break
            matches = list(phonenumbers.PhoneNumberMatcher(digits, region, leniency=leniency))
            for match in matches:
                lead = _SENTENCE_ONE_RE.match(match.raw_string)  # "after 1. 778 555 0199": the 1 ends a sentence
                if lead and not digits.startswith("+"):
                    number = phonenumbers.parse(match.raw_string[lead.end() :], region)
                    if not phonenumbers.is_valid_number(number):
                        continue
                    match = phonenumbers.PhoneNumberMatch(match.start + lead.end(), match.raw_string[lead.end() :], number)
                spans.append((run.start() + match.start + (shift if match.start else 0), run.start() + match.end + shift))
                if first is None:
                    first = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if matches:
                break
    return first, spans


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


def find_use(text: str, vocab: IntakeVocab) -> Use | None:
    """The intended use named in the text: a team beats the page it is for ("our team page"), a named use beats
    `other`, then the earliest and longest keyword wins ("agent immobilier" is a realtor, not an actor's agent)."""
    lowered = " " + _GREETING_TEAM_RE.sub(" ", text.lower().replace("’", "'")) + " "
    pattern, owners = _use_pattern(tuple((key, (*use.keywords, *use.generic)) for key, use in vocab.uses.items()))
    generic = {w.lower() for use in vocab.uses.values() for w in use.generic}
    hits: list[tuple[int, int, int, Use]] = []
    alone = bool(_JUST_ME_RE.search(lowered))
    for match in pattern.finditer(lowered):
        if _YOURS_RE.search(lowered, max(0, match.start() - 6), match.start()):
            continue  # "loved your portfolio", "saw your instagram": the studio's, not what the photos are for
        if match.group(0) == "speaking" and lowered[match.end() : match.end() + 1] in (",", ".", "!"):
            continue  # "Hi, Noor speaking." introduces the writer
        key = owners[match.group(0)]
        team = key in vocab.team_uses
        # "for the team page (just me this time)": one person's photo for a team page is not a team session
        rank = (4 if alone else 0) if team else 3 if key is Use.OTHER else 2 if match.group(0) in generic else 1
        hits.append((rank, match.start(), -len(match.group(0)), key))
    return min(hits)[3] if hits else None


_JUST_ME_RE = re.compile(r"\b(?:just|only) (?:me|myself|one person|for me)\b|\bjust the one (?:of me|person)\b")
_YOURS_RE = re.compile(r"\b(?:your|ur|yr|votre|vos|ton|ta|tes|tu|tus)\s+$")


@lru_cache(maxsize=4)
def _use_pattern(uses: tuple[tuple[Use, tuple[str, ...]], ...]) -> tuple[re.Pattern[str], dict[str, Use]]:
    """One alternation of every use keyword, longest first, so a message is scanned once."""
    owners: dict[str, Use] = {}
    for key, keywords in uses:
        for keyword in keywords:
            owners.setdefault(keyword.lower(), key)
    alternation = "|".join(re.escape(k) for k in sorted(owners, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.])(?:{alternation})(?![\w@])"), owners


def find_people(text: str) -> int | None:
    """A head count such as "a team of 12", "8 people" or "me and my 2 co-founders"."""
    count = count_people(text)
    return count.people if count else None


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


def looks_like_question(text: str) -> bool:
    """Whether a message reads as a question rather than an answer. One that gives an email address or a phone
    number is a request ("Can I book Friday? … dana@x.com"), whatever its punctuation; so is one that proposes a
    day ("Is Tuesday the 8th good, after 1?", "Could you do Friday Dec 17?") unless it asks how, what, where…"""
    if ("@" in text and _EMAIL_RE.search(text)) or find_phone(text):
        return False
    stripped = text.strip().lower()
    first = re.split(r"[\s,]+", stripped, maxsplit=1)[0] if stripped else ""
    asks = stripped.endswith("?") or (first in _QUESTION_WORDS and len(stripped.split()) >= 3)
    return asks and (first in _INFO_WORDS or not (proposes_day(text) and _books(stripped)))


_INFO_WORDS = frozenset({"how", "what", "where", "why", "who", "which", "whats", "what's", "how's", "hows", "tell"})
_DAY_KINDS = frozenset({"day", "rel", "iso", "slash", "holiday", "week", "weekend"})
_PROPOSAL_SCAN = 1500


def _books(lowered: str) -> bool:
    """Whether a question about a day reads as a request: it says more than the question, or asks to come, do,
    book or fit in ("Could you do Friday?", "Is Tuesday good?"), unlike "Can I bring my dog on Thursday?"."""
    sentences = [p for p in _SENTENCE_END_RE.split(lowered[:_PROPOSAL_SCAN]) if p.strip()]
    return len(sentences) >= 2 or bool(_BOOKING_ASK_RE.search(lowered[:_PROPOSAL_SCAN]))


_SENTENCE_END_RE = re.compile(r"[.!?\n]+")
_BOOKING_ASK_RE = re.compile(
    r"\b(?:do|book|come|work|works|possible|good|ok|okay|free|available|fit|chance|slot|suit|suits|squeeze|"
    r"disponible|possible|puedo|dispo)\b")


def proposes_day(text: str) -> bool:
    """Whether the text names one day to book: a weekday, a date, tomorrow, a week or a named day (not a
    recurring one: "Are you open on Saturdays?" asks about the studio)."""
    toks = tokenize(text[:_PROPOSAL_SCAN])
    for i, tok in enumerate(toks):
        if (tok.kind == "day" and tok.value[1]) or (tok.kind == "weekend" and tok.value == "recurring"):
            continue
        if tok.kind in _DAY_KINDS or (tok.kind == "num" and tok.value[1] and tok.value[0] <= 31):
            return True
        if tok.kind == "month" and i + 1 < len(toks) and toks[i + 1].kind == "num":
            return True
    return False


def has_any(text: str, phrases: list[str]) -> bool:
    """Whether any phrase occurs in the text as whole words."""
    lowered = " " + text.lower() + " "
    return any(_has_phrase(lowered, p) for p in phrases)


def is_exactly(text: str, phrases: list[str]) -> bool:
    """Whether the whole message is one of the phrases (ignoring case and end punctuation)."""
    cleaned = re.sub(r"[\s.!]+$", "", text.strip().lower())
    return cleaned in {p.lower() for p in phrases}


def from_model(data: dict[str, Any], text: str, now: datetime, vocab: IntakeVocab) -> Extraction:
    """Facts a model read, each validated like typed input; anything invalid is dropped, never stored."""
    found = Extraction()
    use = data.get("use")
    if isinstance(use, str) and use in vocab.uses:
        found.use, found.use_text = Use(use), " ".join(text.split())[:MAX_USE_TEXT]
    people = data.get("people")
    if isinstance(people, int) and not isinstance(people, bool) and 1 <= people <= 500:
        found.people = people
    if isinstance(data.get("email"), str):
        found.email = find_email(data["email"])
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
    found.availability = AvailabilityResult(windows=windows[:MAX_WINDOWS])
    return found
