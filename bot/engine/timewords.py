"""The words of time: a message cut into typed tokens (days, dates, clock times, parts of day, links) for the grammar.

Tokens are found once, left to right, longest phrase first, so reading is linear in the message's length.
English and some French; the studio's own part-of-day words come from intake.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

_DAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2, "wed": 2, "thursday": 3,
    "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4, "sábado": 5, "sabado": 5,
    "domingo": 6,
}  # fmt: skip
# Abbreviations that are also everyday words ("mon" in French: "Mon numéro", "sat", "sun") count only when a time of
# day, a date, a link or the end of a sentence follows them, or a "next"/"or" comes before them.
_SHY_DAYS = frozenset({"mon", "sat", "sun", "wed"})
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5, "june": 6,
    "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12, "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4,
    "mai": 5, "juin": 6, "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "janv": 1, "févr": 2, "fév": 2, "avr": 4, "juil": 7, "déc": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8, "septiembre": 9,
    "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
# A dot after these ends an abbreviation ("Dec. 21", "Dr. Chen"), not a sentence.
_ABBREVIATIONS = frozenset({*(w for w in (*_DAYS, *_MONTHS) if len(w) <= 5), "dr", "mr", "mrs", "ms", "st", "prof", "mx"})
_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}

# Phrases → (kind, value). Kinds the grammar reads: rel (days from today, optional part), week (weeks ahead),
# weekend (weeks ahead or "recurring"), weekdays (part or None), anyday, prep, range, conj, not, but, negafter,
# mod, the, part, time, filler.
_PHRASES: dict[str, tuple[str, Any]] = {
    "today": ("rel", (0, None)), "yesterday": ("rel", (-1, None)), "hier": ("rel", (-1, None)), "tonight": ("rel", (0, "evening")), "tomorrow": ("rel", (1, None)),
    "tmrw": ("rel", (1, None)), "tmr": ("rel", (1, None)), "tomorow": ("rel", (1, None)), "tommorow": ("rel", (1, None)),
    "day after tomorrow": ("rel", (2, None)), "the day after tomorrow": ("rel", (2, None)),
    "this morning": ("rel", (0, "morning")), "this afternoon": ("rel", (0, "afternoon")),
    "this evening": ("rel", (0, "evening")), "later today": ("rel", (0, None)),
    "aujourd'hui": ("rel", (0, None)), "demain": ("rel", (1, None)), "après-demain": ("rel", (2, None)),
    "ce soir": ("rel", (0, "evening")), "ce matin": ("rel", (0, "morning")), "cet après-midi": ("rel", (0, "afternoon")),
    "this week": ("week", 0), "later this week": ("week", 0), "this coming week": ("week", 1), "next week": ("week", 1),
    "the following week": ("week", 1), "following week": ("week", 1), "the week after next": ("week", 2),
    "week after next": ("week", 2), "cette semaine": ("week", 0), "la semaine prochaine": ("week", 1),
    "semaine prochaine": ("week", 1),
    "this weekend": ("weekend", 0), "the weekend": ("weekend", 0), "this coming weekend": ("weekend", 0),
    "coming weekend": ("weekend", 0), "weekend": ("weekend", 0), "next weekend": ("weekend", 1),
    "the following weekend": ("weekend", 1), "ce week-end": ("weekend", 0), "ce weekend": ("weekend", 0),
    "le week-end prochain": ("weekend", 1), "weekends": ("weekend", "recurring"), "any weekend": ("weekend", "recurring"),
    "les week-ends": ("weekend", "recurring"), "week-ends": ("weekend", "recurring"),
    "weekdays": ("weekdays", None), "weekday": ("weekdays", None), "week days": ("weekdays", None),
    "any weekday": ("weekdays", None), "during the week": ("weekdays", None), "en semaine": ("weekdays", None),
    "weeknights": ("weekdays", "evening"), "weeknight": ("weekdays", "evening"), "week nights": ("weekdays", "evening"),
    "any day": ("anyday", None), "anyday": ("anyday", None), "any time": ("anyday", None), "anytime": ("anyday", None),
    "whenever": ("anyday", None), "whatever day": ("anyday", None), "n'importe quel jour": ("anyday", None),
    "after": ("prep", "after"), "past": ("prep", "after"), "later than": ("prep", "after"), "from": ("prep", "from"),
    "starting at": ("prep", "after"), "starting": ("prep", "after"), "not before": ("prep", "after"),
    "à partir de": ("prep", "after"), "après": ("prep", "after"), "apres": ("prep", "after"),
    "before": ("prep", "before"), "until": ("prep", "before"), "till": ("prep", "before"), "til": ("prep", "before"),
    "by": ("prep", "before"), "no later than": ("prep", "before"), "earlier than": ("prep", "before"),
    "avant": ("prep", "before"), "jusqu'à": ("prep", "before"), "between": ("prep", "between"), "entre": ("prep", "between"),
    "at": ("prep", "at"), "around": ("prep", "at"), "@": ("prep", "at"), "vers": ("prep", "at"),
    "à": ("prep", "at"),
    "to": ("range", None), "-": ("range", None), "–": ("range", None), "through": ("range", None), "thru": ("range", None),
    "or": ("conj", None), "and": ("conj", None), ",": ("conj", ","), "/": ("conj", None), "&": ("conj", None),
    "ou": ("conj", None), "et": ("conj", None), "or maybe": ("conj", None), "and/or": ("conj", None),
    "otherwise": ("conj", None), "sinon": ("conj", None), "either": ("conj", None), "maybe": ("conj", None),
    "except": ("not", None), "except for": ("not", None), "but not": ("not", None), "not": ("not", None),
    "excluding": ("not", None), "other than": ("not", None), "apart from": ("not", None), "besides": ("not", None),
    "sauf": ("not", None), "pas": ("not", None), "can't do": ("not", None), "cannot do": ("not", None),
    "can't": ("not", None), "cannot": ("not", None), "can not": ("not", None), "cant": ("not", None),
    "busy": ("not", None), "unavailable": ("not", None), "no": ("not", None), "never": ("not", None),
    "but": ("but", None), "however": ("but", None), "mais": ("but", None),
    "are out": ("negafter", None), "is out": ("negafter", None), "don't work": ("negafter", None),
    "doesn't work": ("negafter", None), "does not work": ("negafter", None), "won't work": ("negafter", None),
    "is bad": ("negafter", None), "are bad": ("negafter", None), "is no good": ("negafter", None),
    "are no good": ("negafter", None), "not good": ("negafter", None), "is not good": ("negafter", None),
    "isn't good": ("negafter", None), "is busy": ("negafter", None), "are busy": ("negafter", None),
    "next": ("mod", "next"), "last": ("mod", "last"), "dernier": ("mod", "postlast"), "this": ("mod", "this"), "coming": ("mod", "this"), "this coming": ("mod", "this"),
    "on": ("mod", "on"), "ce": ("mod", "this"), "prochain": ("mod", "postnext"), "prochaine": ("mod", "postnext"),
    "the": ("the", "the"), "le": ("the", "le"), "la": ("the", "la"), "l'": ("the", "le"), "of": ("the", "of"),
    "de": ("the", "of"), "du": ("the", "of"), "the day after": ("dayafter", None), "day after": ("dayafter", None),
    "le lendemain": ("dayafter", None), "in": ("filler", None), "en": ("filler", None), "any": ("filler", "any"), "every": ("filler", "any"), "scratch": ("not", None), "can we do": ("yes", None), "could we do": ("yes", None), "how about": ("yes", None),
    "what about": ("yes", None),
    "noon": ("time", (12, 0, True)), "midday": ("time", (12, 0, True)), "midi": ("time", (12, 0, True)),
    "midnight": ("time", (0, 0, True)), "minuit": ("time", (0, 0, True)),
    "before lunch": ("slot", ("morning", None, (12, 0))), "after lunch": ("part", "afternoon"),
    "matin": ("part", "morning"), "le matin": ("part", "morning"), "matinée": ("part", "morning"),
    "avant-midi": ("part", "morning"), "en avant-midi": ("part", "morning"), "après-midi": ("part", "afternoon"),
    "apres-midi": ("part", "afternoon"), "l'après-midi": ("part", "afternoon"), "soir": ("part", "evening"),
    "le soir": ("part", "evening"), "soirée": ("part", "evening"), "en soirée": ("part", "evening"),
    "d'après-midi": ("part", "afternoon"), "fin d'après-midi": ("part", "afternoon"), "début d'après-midi": ("part", "afternoon"),
    "fin de matinée": ("part", "morning"), "début de soirée": ("part", "evening"), "en début de soirée": ("part", "evening"),
    # Greetings name a part of the day without offering it ("Good evening, could we do Saturday?").
    "good morning": ("filler", None), "good afternoon": ("filler", None), "good evening": ("filler", None),
    "good night": ("filler", None), "came and went": ("gone", None), "come and gone": ("gone", None),
    "is over": ("gone", None), "was yesterday": ("gone", None), "has passed": ("gone", None), "happy monday": ("filler", None), "happy tuesday": ("filler", None),
    "happy wednesday": ("filler", None), "happy thursday": ("filler", None), "happy friday": ("filler", None),
    "happy saturday": ("filler", None), "happy sunday": ("filler", None), "instead of": ("not", None),
    "rather than": ("not", None), "prefer": ("yes", None), "would prefer": ("yes", None), "we'd prefer": ("yes", None),
    "i'd prefer": ("yes", None), "buenos días": ("filler", None), "buenos dias": ("filler", None),
    "buenas tardes": ("filler", None), "buenas noches": ("filler", None), "bonsoir": ("filler", None),
    # Words that say a day suits; after them a "not" no longer applies ("not mornings tho, im free friday").
    "free": ("yes", None), "available": ("yes", None), "works": ("yes", None), "work for me": ("yes", None),
    "can do": ("yes", None), "could do": ("yes", None), "can come": ("yes", None), "could come": ("yes", None),
    "libre": ("yes", None), "disponible": ("yes", None), "dispo": ("yes", None), "puedo": ("yes", None),
    # Spanish
    "hoy": ("rel", (0, None)), "mañana": ("rel", (1, None)), "manana": ("rel", (1, None)), "pasado mañana": ("rel", (2, None)),
    "esta mañana": ("rel", (0, "morning")), "esta tarde": ("rel", (0, "afternoon")), "esta noche": ("rel", (0, "evening")),
    "por la mañana": ("part", "morning"), "en la mañana": ("part", "morning"), "de la mañana": ("part", "morning"),
    "por las mañanas": ("part", "morning"), "mañanas": ("part", "morning"), "por la tarde": ("part", "afternoon"),
    "en la tarde": ("part", "afternoon"), "de la tarde": ("part", "afternoon"), "la tarde": ("part", "afternoon"),
    "por las tardes": ("part", "afternoon"), "tardes": ("part", "afternoon"), "por la noche": ("part", "evening"),
    "en la noche": ("part", "evening"), "de la noche": ("part", "evening"), "por las noches": ("part", "evening"),
    "noches": ("part", "evening"),
    "esta semana": ("week", 0), "la semana que viene": ("week", 1), "semana que viene": ("week", 1),
    "la próxima semana": ("week", 1), "próxima semana": ("week", 1), "la semana próxima": ("week", 1),
    "este fin de semana": ("weekend", 0), "el fin de semana": ("weekend", 0), "fin de semana": ("weekend", 0),
    "los fines de semana": ("weekend", "recurring"), "fines de semana": ("weekend", "recurring"),
    "entre semana": ("weekdays", None), "cualquier día": ("anyday", None), "cualquier dia": ("anyday", None),
    "menos": ("not", None), "excepto": ("not", None), "salvo": ("not", None), "no puedo": ("not", None), "pero": ("but", None),
    "o": ("conj", None), "u": ("conj", None), "y": ("conj", None), "el": ("the", "le"), "los": ("the", "le"),
    "próximo": ("mod", "postnext"), "proximo": ("mod", "postnext"), "próxima": ("mod", "postnext"), "que viene": ("mod", "postnext"),
    "después de las": ("prep", "after"), "despues de las": ("prep", "after"), "después de": ("prep", "after"),
    "despues de": ("prep", "after"), "a partir de las": ("prep", "after"), "antes de las": ("prep", "before"),
    "antes de": ("prep", "before"), "a las": ("prep", "at"), "sobre las": ("prep", "at"), "hacia las": ("prep", "at"),
    "entre las": ("prep", "between"), "mediodía": ("time", (12, 0, True)), "mediodia": ("time", (12, 0, True)),
}  # fmt: skip
_HOLIDAY_NAMES = {
    "christmas": "christmas", "christmas day": "christmas", "xmas": "christmas", "noël": "christmas", "noel": "christmas",
    "christmas eve": "christmas_eve", "xmas eve": "christmas_eve", "la veille de noël": "christmas_eve",
    "boxing day": "boxing_day", "new year's eve": "new_years_eve", "new years eve": "new_years_eve",
    "new year eve": "new_years_eve", "nye": "new_years_eve", "la saint-sylvestre": "new_years_eve",
    "new year's day": "new_years_day", "new years day": "new_years_day", "new year's": "new_years_day",
    "le jour de l'an": "new_years_day", "jour de l'an": "new_years_day", "family day": "family_day",
    "good friday": "good_friday", "easter monday": "easter_monday", "victoria day": "victoria_day",
    "canada day": "canada_day", "bc day": "bc_day", "b.c. day": "bc_day", "british columbia day": "bc_day",
    "labour day": "labour_day", "labor day": "labour_day", "truth and reconciliation day": "truth_day",
    "national day for truth and reconciliation": "truth_day", "thanksgiving": "thanksgiving",
    "thanksgiving day": "thanksgiving", "remembrance day": "remembrance_day", "halloween": "halloween",
    "valentine's day": "valentines_day", "valentines day": "valentines_day", "valentine's": "valentines_day",
}  # fmt: skip
_PHRASES |= {phrase: ("holiday", key) for phrase, key in _HOLIDAY_NAMES.items()}
_MAX_PHRASE = 5

_TOKEN_RE = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<slash>\d{1,2}/\d{1,2}(?:/\d{2,4})?)(?![\d/])"
    r"|(?P<dotted>\d{1,2}\.(?:\d{1,2}\.(?:\d{4}\b|(?!\d))|(?:0[1-9]|1[0-2])\b(?!\.\d)))"
    r"|(?P<clock>\d{1,2})(?:[:h](?P<minute>[0-5]\d))?\s*(?P<meridiem>[ap]\.?\s?m\b\.?|o'?clock\b|h\b)"
    r"|(?P<hm>\d{1,2})[:h](?P<hm_minute>[0-5]\d)\b"
    r"|(?P<num>\d{1,4})(?P<ordinal>st|nd|rd|th|er|e|ème)?\b"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+)*['’]?)"
    r"|(?P<punct>[.!?;:\n,/&()@–—-])",
    re.UNICODE,
)


class Tok(NamedTuple):
    """One token: its kind, its value and where it starts in the text (a tuple: thousands are made per message)."""

    kind: str
    value: Any
    pos: int
    capital: bool = False


def tokenize(text: str, vocab_parts: tuple[tuple[str, str], ...] = ()) -> list[Tok]:
    """The message as typed tokens; unknown words become `word` tokens and sentence ends `break` tokens."""
    raw = _raw_tokens(text)
    if _greets(raw):
        raw = raw[1:]
    phrases = _phrase_table(vocab_parts)
    out: list[Tok] = []
    i = 0
    while i < len(raw):
        kind, value, pos, capital = raw[i]
        if kind == "w":
            taken = _longest_phrase(raw, i, phrases)
            if taken is not None:
                length, (pkind, pvalue) = taken
                out.append(Tok(pkind, pvalue, pos, capital))
                i += length
                continue
            out.append(_word_token(value, pos, capital))
        else:
            out.append(Tok(kind, value, pos, capital))
        i += 1
    return _settle_shy_days(out)


def _raw_tokens(text: str) -> list[tuple[str, Any, int, bool]]:
    raw: list[tuple[str, Any, int, bool]] = []
    for m in _TOKEN_RE.finditer(text):
        kind, pos = m.lastgroup, m.start()
        if kind == "word":
            word = m.group("word")
            raw.append(("w", word.lower().replace("’", "'"), pos, word[0].isupper()))
        elif kind == "num" or kind == "ordinal":
            raw.append(("num", (int(m.group("num")), bool(m.group("ordinal"))), pos, False))
        elif kind == "punct":
            p = m.group("punct")
            if p == "." and raw and raw[-1][0] == "w" and raw[-1][1] in _ABBREVIATIONS:
                continue  # "Dec. 21", "Thu. morning", "Dr. Chen": the dot ends a word, not a sentence
            if p in ".!?;\n:()":
                raw.append(("break" if p != ":" else "colon", p, pos, False))
            else:
                raw.append(("w", p, pos, False))
        elif kind in ("meridiem", "minute", "clock"):
            meridiem = m.group("meridiem").lower()
            hour, minute = int(m.group("clock")), int(m.group("minute") or 0)
            if meridiem.startswith("p") and hour < 12:
                hour += 12
            elif meridiem.startswith("a") and hour == 12:
                hour = 0
            explicit = meridiem[0] in "ap" or meridiem == "h" or hour > 12
            raw.append(("time", (hour, minute, explicit), pos, False))
        elif kind in ("hm", "hm_minute"):
            hour = int(m.group("hm"))
            raw.append(("time", (hour, int(m.group("hm_minute")), hour > 12 or hour == 0), pos, False))
        elif kind == "iso":
            raw.append(("iso", tuple(int(p) for p in m.group("iso").split("-")), pos, False))
        elif kind == "slash":
            raw.append(("slash", tuple(int(p) for p in m.group("slash").split("/")), pos, False))
        elif kind == "dotted":  # "21.12." is day.month, as written in most of Europe
            day, month, *year = (int(p) for p in m.group("dotted").split(".") if p)
            if 1 <= month <= 12 and 1 <= day <= 31:
                raw.append(("slash", (month, day, *year), pos, False))
    return raw


_GREETING_PARTS = frozenset({"morning", "afternoon", "evening"})


def _greets(raw: list[tuple[str, Any, int, bool]]) -> bool:
    """"Morning! There are 3 of us…": a message that opens with a part of the day as a greeting."""
    return (len(raw) > 6 and raw[0][0] == "w" and raw[0][1] in _GREETING_PARTS and raw[0][3]
            and raw[1][1] in ("!", ","))  # fmt: skip


_FIRST_WORDS: dict[int, dict[str, int]] = {}


@lru_cache(maxsize=8)
def _phrase_table(vocab_parts: tuple[tuple[str, str], ...]) -> dict[tuple[str, ...], tuple[str, Any]]:
    table: dict[tuple[str, ...], tuple[str, Any]] = {}
    for phrase, part in vocab_parts:
        table[tuple(_split_phrase(phrase))] = ("part", part)
    for phrase, entry in _PHRASES.items():
        table[tuple(_split_phrase(phrase))] = entry
    # The longest phrase that starts with each word, so most words cost one dictionary look-up.
    longest: dict[str, int] = {}
    for words in table:
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    _FIRST_WORDS[id(table)] = longest
    return table


def _split_phrase(phrase: str) -> list[str]:
    return [t[1] for t in _raw_tokens(phrase)]


def _longest_phrase(raw: list[tuple[str, Any, int, bool]], i: int, phrases: dict[tuple[str, ...], tuple[str, Any]]
                    ) -> tuple[int, tuple[str, Any]] | None:  # fmt: skip
    longest = _FIRST_WORDS[id(phrases)].get(raw[i][1], 0)
    for length in range(min(longest, len(raw) - i), 0, -1):
        words = raw[i : i + length]
        if any(w[0] != "w" for w in words):
            continue
        entry = phrases.get(tuple(w[1] for w in words))
        if entry is not None:
            return length, entry
    return None


def _word_token(word: str, pos: int, capital: bool) -> Tok:
    if word in _DAYS:
        return Tok("day", (_DAYS[word], False, word), pos, capital)
    if word.endswith("s") and word[:-1] in _DAYS and len(word) > 4:
        return Tok("day", (_DAYS[word[:-1]], True, word), pos, capital)
    if word in _MONTHS:
        return Tok("month", _MONTHS[word], pos, capital)
    if word in _NUMBER_WORDS:
        return Tok("numword", _NUMBER_WORDS[word], pos, capital)
    return Tok("word", word, pos, capital)


_ASSENT_AFTER_SHY = frozenset({"ok", "okay", "good", "fine", "possible", "pls", "please", "maybe", "perhaps"})
_LINKS_AFTER_SHY = frozenset({"part", "time", "num", "month", "conj", "range", "slot", "anyday", "day", "prep", "yes"})


def _settle_shy_days(tokens: list[Tok]) -> list[Tok]:
    settled: list[Tok] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "day" and tok.value[2] in _SHY_DAYS:
            after = tokens[i + 1].kind if i + 1 < len(tokens) else "break"
            before = settled[-1].kind if settled else "break"
            linked = after in _LINKS_AFTER_SHY or (after == "break" and (tok.capital or before in ("mod", "conj", "range")))
            # "Sat ok?", "Wed works": a capitalised short day before a word of assent
            linked = linked or (tok.capital and after == "word" and tokens[i + 1].value in _ASSENT_AFTER_SHY)
            if not linked:
                tok = Tok("word", tok.value[2], tok.pos)
        settled.append(tok)
    return settled
