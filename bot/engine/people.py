"""Reading how many people a session is for: "a team of 12", "4 partners", "12 of us", "me and my 2 co-founders".

Besides the number, the reader says whether the people are colleagues: a party of several colleagues is a team
session. A family ("my husband and our two kids") is counted but does not make a team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PEOPLE = 500

_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "dozen": 12, "couple": 2, "both": 2,
    "trio": 3, "duo": 2, "pair": 2, "deux": 2, "trois": 3, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "douze": 12,
}  # fmt: skip
_COLLEAGUES = (
    "partners|co-?founders|cofounders|founders|co-?owners|owners|associates|colleagues|co-?workers|employees|staff|"
    "staff members|team members|members|nurses|doctors|dentists|hygienists|lawyers|attorneys|engineers|developers|"
    "agents|realtors|brokers|accountants|consultants|advisors|therapists|physicians|managers|executives|directors|"
    "teachers|coaches|designers|architects|stylists|volunteers|students|interns|hires|recruits|leaders|reps|"
    "salespeople|staffs|people on (?:my|our|the) team|co-?fondateurs|co-?fondatrices|associés|associées|collègues|employés|"
    "socios|socias|compañeros|colegas|kolleginnen|kollegen|mitarbeiter"
)
_GENERIC = "people|persons|folks|ppl|individuals|heads|of us|of them|personnes"
# "two people" alone says nothing of colleagues; "3 of us from the office" does.
_NEUTRAL = frozenset({"people", "persons", "folks", "ppl", "individuals", "heads", "personnes"})
_WORKPLACE_RE = re.compile(
    r"\b(?:office|company|firm|clinic|practice|agency|startup|business|work|department|brokerage|studio|shop|store|"
    r"restaurant|bakery|team|staff|colleagues|coworkers|co-workers|employees|bureau|entreprise|cabinet|équipe|"
    r"nonprofit|non-profit|charity|church|organization|organisation|school|clinic|lab)\b", re.I)
# A couple or a family who run a business together are colleagues for the shoot: "my wife and I co-own a bakery".
_RUN_TOGETHER_RE = re.compile(
    r"\b(?:co-?own|co-?owners|co-?run|we (?:own|run|started)|our (?:own )?(?:business|company|shop|store|bakery|restaurant|"
    r"practice|firm|studio|cafe|café|agency|brand|startup))\b", re.I)
_FAMILY = "kids|children|sons|daughters|boys|girls|family members|grandkids|enfants|fils|filles"
_NUMBER = r"(\d{1,3}|half a dozen|a dozen|a couple of|" + "|".join(sorted((k.strip() for k in _NUMBERS), key=len, reverse=True)) + ")"
# "four of my agents" reads like "my four agents"
_N_OF_MY_RE = re.compile(rf"\b{_NUMBER} of (my|our|mes|nos)\b", re.I)
# Counts side by side add up: "4 partners and 2 associates"
_JOINED_RE = re.compile(r"\s*(?:,|and|&|\+|plus|et|,\s*and)\s*", re.I)
_ADJECTIVES = r"(?:[a-zé-]+\s+){0,2}?"
_GROUP_RE = re.compile(
    rf"\b(?:team|group|crew|staff|office|company|department|firm|practice|équipe|groupe|family|famille) of (?:about |around |roughly |~|approx\.? )?{_NUMBER}\b"
    rf"|\b(?:we are|we're|there are|there will be|there'll be|nous sommes|on est|on sera|somos|wir sind) (?:now |going to be |gonna be )?(?:about |around |anywhere from |between |from )?{_NUMBER}\b(?!\s*(?:years?|am|pm|h\b|:))"
    rf"|\b(?:team|group|staff|office|company|department|firm|practice|crew)\s*\((?:about |around |roughly |~)?{_NUMBER}(?: people| of us)?\)",
    re.IGNORECASE,
)
# A count the message settles on after others ("22 engineers, but 4 are away, so it'd be 18 people"; "5 in total";
# "15 to 20, let's plan for 18") is the head count, whatever larger number came before it.
_NOT_PEOPLE = r"(?! ?(?:am|pm|h\b|:|o'clock|years?|days?|weeks?|hours?|minutes?|mins?|photos?|images?|shots?|headshots?|looks?|outfits?|%|\$))"
_SETTLED_RE = re.compile(
    rf"\b{_NUMBER} (?:people |persons |of us )?(?:in total|total|altogether|all together|all in)\b|\ba total of {_NUMBER}\b"
    rf"|\b(?:that makes|which makes|it'd be|it would be|it will be|it'll be) (?:about |around )?{_NUMBER}\b{_NOT_PEOPLE}",
    re.IGNORECASE,
)
# "so 18", "plan for 18" settle a count only beside another one: alone they may be a time or a price.
_SETTLED_WEAK_RE = re.compile(
    rf"\b(?:so|that's|that is|plan for|book for|count on) (?:about |around )?{_NUMBER}\b{_NOT_PEOPLE}", re.IGNORECASE
)
_N_OF_OUR_RE = re.compile(rf"\b{_NUMBER} of (?:my|our|mes|nos) (?:[a-zé-]+ )?([a-zé-]+s)\b", re.IGNORECASE)
# The words without which neither pattern can match: checked first, since the number alternation is costly.
_SETTLED_CUE_RE = re.compile(r"total|altogether|all together|all in\b|makes|it'd be|would be|will be|it'll be")
_SETTLED_WEAK_CUE_RE = re.compile(r"\b(?:so|that's|that is|plan for|book for|count on) ")
# "me + 1", "myself +2"
_PLUS_RE = re.compile(r"\b(?:me|myself|moi)\s*\+\s*(\d{1,2})\b(?!\s*(?:am|pm|h\b|:))", re.IGNORECASE)
# "4 partners", "3 new associates", "the three of us": found from the noun, which is rarer than a number.
_NOUN_RE = re.compile(rf"\b(?:{_COLLEAGUES}|{_GENERIC}|{_FAMILY})\b", re.IGNORECASE)
_NUMBER_BEFORE_RE = re.compile(rf"\b{_NUMBER}\s+(?:[a-zé-]+\s+){{0,2}}$", re.IGNORECASE)
# "me and my 2 co-founders", "my husband and I and our two kids", "ma co-fondatrice et moi"
_SELF = r"\b(?:me|myself|i|moi)\b(?!['’])"
_LINK = r"(?:and|et|or|ou|plus|i|me|moi)\b"
_MEMBER = rf"(?:\b(?:my|our|ma|mon|mes|nos|notre)\s+(?:{_NUMBER}\s+)?(?:(?!{_LINK})[a-zé]+\s+){{0,2}}?({{nouns}})\b)"
# "my co-founder Josh and I": a first name may follow the member
_NAMED = rf"(?:\s+(?!{_LINK}|{_NUMBER}\b)[a-zé]+(?=\s*(?:,|and|&|\+|et|plus)\s))?"
_ONE_COLLEAGUE = {"partner", "business partner", "cofounder", "co-founder", "colleague", "coworker", "co-worker",
                  "associate", "co-fondatrice", "co-fondateur", "cofondatrice", "cofondateur", "associé", "associée",
                  "collègue", "boss", "manager", "assistant", "co-owner", "employee"}  # fmt: skip
_ONE_FAMILY = {"husband", "wife", "spouse", "son", "daughter", "kid", "child", "mom", "mum", "dad", "mother", "father",
               "sister", "brother", "boyfriend", "girlfriend", "fiancé", "fiancée", "fiance", "fiancee", "mari", "femme",
               "fille", "fils", "soeur", "sœur", "frère", "friend", "baby", "grandma", "grandpa"}  # fmt: skip
# A member is a word the party reader knows, after up to two others ("my business partner", "my 3 new associates"),
# so "my business partner and I" is one partner, and "my team and I" (a size not said) is no party.
_MEMBER_NOUNS = "|".join(sorted(
    {w for w in _ONE_COLLEAGUE | _ONE_FAMILY if " " not in w} | {f"{w}s" for w in _ONE_COLLEAGUE | _ONE_FAMILY if " " not in w}
    | {w for w in _COLLEAGUES.split("|") if w.isalpha() or w.replace("-?", "").replace("-", "").isalpha()}
    | {"children", "enfants", "kids", "wives"},
    key=len, reverse=True))  # fmt: skip
_MEMBER = _MEMBER.replace("{nouns}", _MEMBER_NOUNS)
_PARTY_RE = re.compile(rf"(?:{_SELF}|{_MEMBER}{_NAMED})(?:\s*(?:,|and|&|\+|et|plus)\s*(?:and\s+)?(?:{_SELF}|{_MEMBER}{_NAMED}))+", re.IGNORECASE)
_MEMBER_RE = re.compile(rf"{_SELF}|{_MEMBER}", re.IGNORECASE)
_FAMILY_WORDS = re.compile(r"\b(?:family|families|husband|wife|kids|children|sons|daughters|famille|enfants)\b", re.I)


# A party is tried only where one of its words stands, which keeps a 4,096-character message cheap.
_PARTY_CUE_RE = re.compile(r"\b(?:me|myself|i|moi|my|our|ma|mon|mes|nos|notre)\b", re.I)


_WORD_RE = re.compile(r"[a-zé]+")
# First letters of the nouns (co-founders, of us…): a word that starts otherwise is not tried.
_NOUN_STARTS = frozenset(w[:2] for w in re.findall(r"[a-zé]+", _COLLEAGUES + "|" + _GENERIC + "|" + _FAMILY))


def _matches_at_cues(pattern: re.Pattern[str], cues: re.Pattern[str], text: str,
                     starts: frozenset[str] | None = None) -> list[re.Match[str]]:  # fmt: skip
    found: list[re.Match[str]] = []
    end = 0
    for cue in cues.finditer(text):
        if cue.start() < end or (starts is not None and cue.group(0)[:2] not in starts):
            continue
        match = pattern.match(text, cue.start())
        if match:
            found.append(match)
            end = match.end()
    return found


@dataclass(frozen=True)
class HeadCount:
    """How many people, and whether they are colleagues (which makes the session a team one)."""

    people: int
    colleagues: bool


def count_people(text: str) -> HeadCount | None:
    """The largest head count the text states or clearly implies (two or more), or None."""
    lowered = text.lower().replace("’", "'")
    if any(f" of {w} " in lowered for w in ("my", "our", "mes", "nos")):  # the number alternation is costly
        lowered = _N_OF_MY_RE.sub(r"\2 \1", lowered)
    counts: list[HeadCount] = []
    family = bool(_FAMILY_WORDS.search(lowered)) and not _RUN_TOGETHER_RE.search(lowered)
    workplace: bool | None = None
    for match in _GROUP_RE.finditer(lowered):
        number = _number(next(g for g in match.groups() if g))
        if number is not None:
            counts.append(HeadCount(number, not family))
    previous: tuple[int, HeadCount] | None = None  # where the last "N nouns" ended, and its count
    for noun in _matches_at_cues(_NOUN_RE, _WORD_RE, lowered, _NOUN_STARTS):
        before = _NUMBER_BEFORE_RE.search(lowered, max(0, noun.start() - 40), noun.start())
        number = _number(before.group(1)) if before else None
        if number is None or before is None:
            continue
        word = noun.group(0)
        if re.fullmatch(_FAMILY, word):
            count = HeadCount(number, False)
        elif word in _NEUTRAL:
            workplace = bool(_WORKPLACE_RE.search(lowered)) if workplace is None else workplace
            count = HeadCount(number, workplace and not family)
        else:
            count = HeadCount(number, not family or bool(re.fullmatch(_COLLEAGUES, word)))
        if previous is not None and _JOINED_RE.fullmatch(lowered, previous[0], before.start(1)):
            count = HeadCount(previous[1].people + count.people, previous[1].colleagues or count.colleagues)
        counts.append(count)
        previous = (noun.end(), count)
    for match in _matches_at_cues(_PARTY_RE, _PARTY_CUE_RE, lowered):
        party = _party(match.group(0))
        if party is not None:
            counts.append(party)
    original = text.lower()
    for match in _N_OF_OUR_RE.finditer(original) if (" of our " in original or " of my " in original) else ():
        # "half a dozen of our physios"
        number = _number(match.group(1))
        if number is not None:
            workplace = bool(_WORKPLACE_RE.search(lowered)) if workplace is None else workplace
            counts.append(HeadCount(number, (workplace or bool(re.fullmatch(_COLLEAGUES, match.group(2)))) and not family))
    for match in _PLUS_RE.finditer(lowered) if "+" in lowered else ():
        counts.append(HeadCount(int(match.group(1)) + 1, False))
    counts = [c for c in counts if 2 <= c.people <= MAX_PEOPLE]
    settled = [n for m in (_SETTLED_RE.finditer(lowered) if _SETTLED_CUE_RE.search(lowered) else ())
               if 2 <= (n := _number(next(g for g in m.groups() if g)) or 0) <= MAX_PEOPLE]  # fmt: skip
    if not settled and counts and _SETTLED_WEAK_CUE_RE.search(lowered):
        settled = [n for m in _SETTLED_WEAK_RE.finditer(lowered)
                   if 2 <= (n := _number(next(g for g in m.groups() if g)) or 0) <= MAX_PEOPLE]  # fmt: skip
    if settled:  # the settled number, with what the rest says of colleagues
        workplace = bool(_WORKPLACE_RE.search(lowered)) and not family
        return HeadCount(settled[-1], any(c.colleagues for c in counts) or workplace)
    return max(counts, key=lambda c: (c.people, c.colleagues)) if counts else None


def _party(phrase: str) -> HeadCount | None:
    total, colleagues, has_self = 0, False, False
    for member in _MEMBER_RE.finditer(phrase):
        if member.group(1) is None and member.group(2) is None:
            total, has_self = total + 1, True
            continue
        noun = member.group(2).lower()
        number = _number(member.group(1)) if member.group(1) else None
        singular = noun in _ONE_COLLEAGUE or noun in _ONE_FAMILY
        named_colleagues = number is not None and bool(re.fullmatch(_COLLEAGUES, noun))  # "my four agents"
        plural = (noun.rstrip("s") in _ONE_COLLEAGUE or noun.rstrip("s") in _ONE_FAMILY or noun in ("children", "enfants")
                  or named_colleagues)  # fmt: skip
        if number is None and singular:
            total += 1
        elif number is not None and plural:
            total += number
        else:
            return None  # "my team", "my kids": a group whose size the phrase does not say
        colleagues = colleagues or noun.rstrip("s") in _ONE_COLLEAGUE or named_colleagues
    return HeadCount(total, colleagues) if has_self and total >= 2 else None


def _number(token: str) -> int | None:
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    if token in ("a dozen", "dozen"):
        return 12
    if token == "half a dozen":
        return 6
    if token == "a couple of":
        return 2
    return _NUMBERS.get(token)
