"""Reading the name a prospect gives for themselves, from tokens rather than one regex per phrasing.

Names come from introductions ("I'm Dana", "je m'appelle…", "Dana here"), contact lines ("Contact: Dana Li"),
sign-offs ("Thanks, Dana", "— Dana", "Cheers,\\nPriya Patel"), a name written just before an email or phone, or a
lone capitalised name closing the message. Words that follow "I'm" without being names ("I'm giving a talk")
are known verbs, gerunds, adjectives and roles. When nothing is sure the reader says nothing and the bot asks.
"""

from __future__ import annotations

import re

MAX_NAME = 64  # longer is not a name a person typed for themselves; the bot asks again
MAX_WORDS = 4
CONTACT_MARK = "\x01"  # stands in for an email address or phone number removed from the text

_TOKEN_RE = re.compile(r"\x01|[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+|\n|[,.!?:;()\[\]|/+&]|[—–-]+|[^\w\s]", re.UNICODE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)

_INTROS = [
    ("my", "name", "is"), ("my", "name's"), ("my", "names"), ("name's",), ("names",), ("name", "is"), ("i", "am"),
    ("i'm",), ("im",), ("this", "is"), ("call", "me"), ("it's",), ("its",), ("c'est",), ("je", "m'appelle"),
    ("je", "suis"), ("moi", "c'est"), ("myself",), ("me", "llamo"), ("mi", "nombre", "es"), ("name",), ("nom",),
    ("contact",), ("contact", "person"), ("contact", "name"), ("full", "name"), ("signed",), ("soy",), ("ici",),
    ("sono",), ("mi", "chiamo"), ("meu", "nome", "é"), ("me", "chamo"), ("ich", "bin"), ("ich", "heiße"),
    ("mein", "name", "ist"), ("from",), ("booking", "for", "myself"),
]  # fmt: skip
_LABEL_INTROS = {("name",), ("nom",), ("contact",), ("contact", "person"), ("contact", "name"), ("full", "name"), ("from",)}
_WEAK_INTROS = {("this", "is"), ("it's",), ("its",), ("c'est",), ("je", "suis"), ("i", "am"), ("i'm",), ("im",), ("soy",),
                ("ici",), ("sono",)}
# Introductions that say a name follows, whatever its case: "my name is rose martinez and i need…"
_NAMING_INTROS = {("my", "name", "is"), ("my", "name's"), ("my", "names"), ("je", "m'appelle"), ("me", "llamo"),
                  ("mi", "nombre", "es"), ("mi", "chiamo"), ("call", "me"), ("moi", "c'est"), ("meu", "nome", "é"),
                  ("me", "chamo"), ("ich", "heiße"), ("mein", "name", "ist")}
# "His name's Mark": a name the writer gives for someone else
_SOMEONE_ELSE = {"his", "her", "their", "whose", "its", "son", "daughter", "husband", "wife"}
# Words that are also first names: a capitalised one where a name stands is read as the name ("Will here",
# "I'm Will Hartmann", "Hope, a wedding planner"), never in lower case.
_NAME_LIKE = frozenset(
    """will grace hope summer rose mark jean hunter autumn june may faith joy bill drew guy art frank april august
    dawn eve ivy lily jade ruby sky skye sunny pat rob sue max ray dean chase carol gene harper paige page
    sterling heath bob""".split()
)
_SIGNOFFS = [
    ("thanks",), ("thank", "you"), ("thankyou",), ("thx",), ("ty",), ("cheers",), ("regards",), ("best",),
    ("best", "regards"), ("kind", "regards"), ("warm", "regards"), ("warmly",), ("sincerely",), ("many", "thanks"),
    ("thanks", "again"), ("thanks", "so", "much"), ("thank", "you", "so", "much"), ("all", "the", "best"),
    ("take", "care"), ("merci",), ("merci", "beaucoup"), ("cordialement",), ("bien", "à", "vous"), ("à", "bientôt"),
    ("salutations",), ("bisous",), ("yours",), ("yours", "truly"), ("talk", "soon"), ("love",), ("xo",), ("xoxo",),
    ("best", "wishes"), ("with", "thanks"), ("thanks", "in", "advance"), ("regards", "and", "thanks"),
    ("yours", "sincerely"), ("sincerely", "yours"), ("yours", "faithfully"), ("respectfully",), ("kindly",),
    ("gracias",), ("muchas", "gracias"), ("saludos",), ("un", "saludo"), ("atentamente",), ("besos",), ("abrazos",),
    ("bien", "cordialement"), ("amitiés",), ("bonne", "journée"), ("xx",), ("cheers", "and", "thanks"),
    ("regards", "from"), ("greetings", "from"), ("cheers", "from"), ("love", "from"), ("viele", "grüße"), ("grüße",),
    ("liebe", "grüße"), ("mit", "freundlichen", "grüßen"), ("lg",), ("salamat",), ("salamat", "po"), ("obrigado",),
    ("obrigada",), ("grazie",), ("danke",), ("vielen", "dank"), ("abraços",), ("saluti",), ("cordiali", "saluti"), ("x",),
]  # fmt: skip
_GREETINGS = {"hi", "hello", "hey", "hiya", "heya", "yo", "allo", "allô", "bonjour", "salut", "greetings", "good",
              "morning", "afternoon", "evening", "there", "dear", "coucou", "all", "team", "folks"}  # fmt: skip
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "mx", "sir", "madam"}
_PARTICLES = {"de", "da", "del", "della", "di", "van", "von", "der", "den", "la", "le", "du", "dos", "das", "bin", "al",
              "el", "st", "ter", "ten", "y", "e", "dela"}  # fmt: skip
# Words that are not a name where a name could stand: after "I'm", in a sign-off, or closing a message.
NOT_NAMES = frozenset(
    """a an the free available looking interested not busy flexible here good fine ok okay just also wondering hoping
    planning thinking trying going new after curious from in at on for with so very really sure ready open booked
    around about only still keen happy glad back done calling writing asking reaching contacting actor actress
    model realtor coach speaker author photographer student manager ceo founder lawyer doctor nurse engineer
    gonna wanting needing hey hi hello and or but giving speaking doing getting having making taking starting
    moving relocating working based located new currently finally excited nervous bit little kind sort super
    afraid sorry the this that what who there your you we our my me us it its is are was be been will would could
    should can may might must shall do does did am pm today tomorrow tonight monday tuesday wednesday thursday
    friday saturday sunday weekend weekday week month morning afternoon evening night noon please thanks thank
    regards best cheers merci bonjour salut libre disponible dispo conférencière conférencier comédienne comédien
    actrice acteur agent agente photographe besoin une un le la les des pour avec chez en pas très aussi suis
    linkedin instagram hinge bumble tinder zillow headshot headshots photo photos pics pic picture session
    booking book call text email phone mobile number contact reach whatsapp telegram signal office team company
    hospital firm agency studio website page profile bio job work business startup coffee lunch yes no nope yeah
    yep sure great awesome amazing perfect lol haha omg btw tbh idk asap fyi ps xo love again advance much so
    many more less all everyone everybody anyone someone somebody nobody any some one two three four five six
    seven eight nine ten dozen couple both several few family husband wife partner partners kids children sons
    daughters mom dad mother father friend friends boss colleague colleagues staff employees client clients
    chartered accountant advisor consultant designer developer teacher professor dentist therapist nurse
    physician surgeon pharmacist architect artist musician singer dancer writer editor producer director
    entrepreneur owner investor analyst officer assistant coordinator recruiter agent broker banker
    pleased delighted thrilled honestly literally actually basically probably maybe perhaps definitely
    myself yourself himself herself ourselves themselves via per re fw fwd subject sent from iphone android
    po ma mon mes nos notre votre vous nous je tu il elle on ils elles moi toi lui eux et ou mais donc car
    ni si oui non ah oh um uh hmm well anyway also plus mornings afternoons evenings nights weekends weekdays
    mondays tuesdays wednesdays thursdays fridays saturdays sundays need needs want wants like love would see
    looking forward next last week thx tia ty cell cellphone landline home ext extension really ideally hopefully
    usually totally senior junior lead chief principal former retired aspiring freelance independent
    certified licensed registered christmas merry holidays happy new year""".split()
)
# Never a name even where one is expected ("Thanks and regards", "— see you"): function words and time words.
NEVER_NAMES = frozenset(
    """a an the and or but so to of for from with at on in by here there this that it is are be you we our my me i
    your us they them thanks thank regards best cheers merci see talk soon again much all morning afternoon evening
    mornings afternoons evenings nights weekends weekdays today tomorrow tonight monday tuesday wednesday thursday
    friday saturday sunday mondays tuesdays wednesdays thursdays fridays saturdays sundays et ou le la les de du
    pour avec je moi mon ma mes call text email phone mobile number contact tel tél cell mob fax wechat whatsapp
    subject sent to cc re fw""".split()
)
_BOUNDARY = {",", ".", "!", "?", "\n", CONTACT_MARK, "(", ")", "[", "]", "|", ":", ";", "/", "+", "&"}


class _Tok:
    """One token with what the reader asks of it, worked out once."""

    __slots__ = ("capital", "is_word", "low", "spaced", "text")

    def __init__(self, text: str, spaced: bool = True) -> None:
        self.text = text
        self.spaced = spaced  # whitespace before it: "E. J." is two initials, "J.R." one
        self.low = text.lower().replace("’", "'")
        self.is_word = text[:1].isalpha()
        self.capital = text[:1].isupper()


def find_name(text: str) -> str | None:
    """The name the writer gives for themselves, or None when no reading is sure."""
    text = text[:4096]
    toks = [_Tok(m.group(), m.start() > 0 and text[m.start() - 1].isspace()) for m in _TOKEN_RE.finditer(text)]
    lowercase_writer = sum(t.capital for t in toks if t.is_word) <= max(1, len(toks) // 12)
    found: list[tuple[int, list[str]]] = []
    for i, tok in enumerate(toks):
        before = toks[i - 1] if i else None
        if (tok.low in _CUES or tok.text[:1] in "—–-~(/" or before is None or before.text in (".", "!", "?", "\n")
                or (i == 2 and before.text == ",") or (tok.text == "," and before.text == CONTACT_MARK)
                or (not before.is_word and before.text not in _BOUNDARY and not before.text[:1].isdigit())):  # fmt: skip
            found += _candidates_at(toks, i, lowercase_writer)
    if not found:
        return None
    found.sort(key=lambda c: c[0])
    best = found[0][1]
    for _, words in found:  # "Jordan from Pinecrest here … Jordan Blake, jordan@…": the longer form of the same name
        if len(words) > len(best) and [w.lower() for w in words[: len(best)]] == [w.lower() for w in best]:
            best = words
    name = " ".join(best)
    return tidy_name(name) if len(name) <= MAX_NAME else None


def _by_first_word(phrases: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        index.setdefault(phrase[0], []).append(phrase)
    return index


_INTRO_INDEX = _by_first_word(_INTROS)
_SIGNOFF_INDEX = _by_first_word(_SIGNOFFS)
_CUES = frozenset({*_INTRO_INDEX, *_SIGNOFF_INDEX, "here", "speaking", "desu"})
_SIGNOFF_WORDS = frozenset(w for phrase in _SIGNOFFS for w in phrase)


def _candidates_at(toks: list[_Tok], i: int, lowercase_writer: bool) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    low = toks[i].low
    for intro in _INTRO_INDEX.get(low, ()):
        if _matches(toks, i, intro):
            j = i + len(intro)
            label = intro in _LABEL_INTROS
            if label:
                if j < len(toks) and toks[j].text in (":", "-", "—", "–"):
                    j += 1
                elif intro in (("name",), ("nom",), ("contact",), ("from",)):
                    continue
            if intro[0] in ("name's", "names", "name") and i > 0 and toks[i - 1].low.removesuffix("'s") in _SOMEONE_ELSE:
                continue
            naming = intro in _NAMING_INTROS
            if j < len(toks) and toks[j].text == "(" and intro == ("booking", "for", "myself"):
                j += 1  # "Booking for myself (Farid Haddad)"
            words = _name_words(toks, j, lowercase_writer or naming, strict=intro in _WEAK_INTROS, closed=label,
                                naming=naming)  # fmt: skip
            if words:
                out.append((0, words))
    tok = toks[i]
    if tok.low in _AFTER_CUES and i > 0:  # "Hi Jordan, Marcus Chen here", "Noor speaking.", "Tanaka Yuki desu."
        start = _name_start_before(toks, i, lowercase_writer)
        words = _name_words(toks, start, lowercase_writer, strict=False, here=True) if start is not None else []
        after = toks[i + 1] if i + 1 < len(toks) else None
        closes = tok.low == "here" or after is None or after.text in (",", ".", "!", "\n", "(")
        if words and start is not None and start + _span(toks, start, words) == i and closes:
            out.append((0, words))
    if tok.low == "here" and i > 0:
        start = _after_greeting(toks)
        words = _name_words(toks, start, lowercase_writer, strict=False, here=True)
        if words and start + len(words) in (i, *range(i - 6, i)) and _here_gap_ok(toks, start + len(words), i):
            out.append((0, words))
    for signoff in _SIGNOFF_INDEX.get(low, ()):
        if _matches(toks, i, signoff) and (i == 0 or toks[i - 1].text in _BOUNDARY or not toks[i - 1].is_word):
            j = i + len(signoff)
            while j < len(toks) and toks[j].text in (",", "!", ".", "\n", "-", "—", "–"):
                j += 1
            words = _name_words(toks, j, lowercase_writer, strict=True, closed=True)
            if words and (j > i + len(signoff) or signoff[-1] in ("from", "x", "xx", "xo", "xoxo")):  # "Regards from Tomás", "x Dana"
                out.append((1, words))
    if tok.text in ("/", ",") and i > 0 and toks[i - 1].text == CONTACT_MARK:  # "tel: +1604… / Dev", "…@x.com, Anna"
        words = _name_words(toks, i + 1, lowercase_writer, strict=True, closed=True)
        if words and _closes_message(toks, i + 1 + _span(toks, i + 1, words)):
            out.append((2, words))
    if tok.text == "(" and (i > 0 and toks[i - 1].text == CONTACT_MARK):  # "604-555-0156 (Rachel)"
        words = _name_words(toks, i + 1, lowercase_writer, strict=True, closed=True)
        if words and i + 1 + _span(toks, i + 1, words) < len(toks) and toks[i + 1 + _span(toks, i + 1, words)].text == ")":
            out.append((2, words))
    if tok.text.strip("—–-~") == "":  # "— Dana", "- Marco" closing a message, "--\nTheo Lindqvist" signing
        j = i + 1
        while j < len(toks) and toks[j].text == "\n":
            j += 1
        words = _name_words(toks, j, lowercase_writer, strict=True, closed=True)
        if words and (words[0][:1].isupper() or lowercase_writer):  # "Subject: inquiry – keynote" is no name
            out.append((1, words))
    if i == 0 or toks[i - 1].text in (".", "!", "?", "\n") or (not toks[i - 1].is_word and toks[i - 1].text not in _BOUNDARY):
        # A name alone on the last line may be in lower case when the writer writes in lower case ("…\n\nkenji").
        own_line = lowercase_writer and i > 0 and toks[i - 1].text == "\n"
        words = _name_words(toks, i, own_line, strict=True)
        end = i + _span(toks, i, words)
        if own_line and words and not words[0][:1].isupper() and not _closes_message(toks, end):
            words = []
        if words and end < len(toks) and (toks[end].text == CONTACT_MARK or (toks[end].text in _BEFORE_CONTACT
                                          and end + 1 < len(toks) and toks[end + 1].text == CONTACT_MARK)):  # fmt: skip
            out.append((2, words))
        elif words and _closes_message(toks, end):
            out.append((3, words))
        elif words and end < len(toks) and toks[end].text in ("\n", "|", ",") and _title_line_after(toks, end):
            out.append((2, words))  # a signature: "Fiona McAllister\nDirector of Marketing", "Grace Liu | Associate"
        elif (len(words) >= 2 and end < len(toks) and not _greets_or_signs(words)
              and (_sentence_of_its_own(toks, i, end) or (_opens_message(toks, i) and toks[end].text in (",", "-", "—", "–", ":")))):
            # "…0188. Tom O'Brien. Want…", "Ciao! Giulia De Luca, I'm a singer", "Dana Li, LinkedIn, free Thursday"
            out.append((3, words))  # "…0188. Tom O'Brien. Want something…", "Ciao! Giulia De Luca, I'm a singer"
    elif i > 1 and toks[i - 1].text == "," and toks[i - 2].low in _GREETINGS and i == 2:
        words = _name_words(toks, i, False, strict=True)  # "Hello, Ahmed Al-Sayed. I want…"
        end = i + _span(toks, i, words)
        if len(words) >= 2 and _sentence_of_its_own(toks, i, end) and not _greets_or_signs(words):
            out.append((3, words))
    return out


_BEFORE_CONTACT = (",", "(", "|", ":", "-", "—", "–", "/")
_AFTER_CUES = frozenset({"here", "speaking", "desu"})
_TITLE_WORDS = frozenset(
    """director vp president head lead associate counsel partner principal marketing operations ceo cto cfo coo founder
    co-founder cofounder manager coordinator officer administrator specialist engineer designer consultant advisor
    analyst architect broker realtor agent owner recruiter assistant executive chair secretary treasurer attorney
    lawyer paralegal accountant dentist physician doctor nurse professor teacher student intern editor producer
    writer photographer developer scientist researcher""".split()
)


def _name_start_before(toks: list[_Tok], i: int, lowercase_writer: bool) -> int | None:
    """Where the name words just before token i begin ("…, Marcus Chen here"), after a boundary or a greeting."""
    k = i
    while k > 0 and i - k < MAX_WORDS + 2 and toks[k - 1].is_word and (
            toks[k - 1].capital or toks[k - 1].low in _PARTICLES or lowercase_writer) and toks[k - 1].low not in _GREETINGS:
        k -= 1
    if k == i or (k > 0 and toks[k - 1].is_word and toks[k - 1].low not in _GREETINGS and toks[k - 1].low not in _INTRO_WORDS):
        return None
    return k


_INTRO_WORDS = frozenset({"po", "ito", "si"})


def _title_line_after(toks: list[_Tok], end: int) -> bool:
    """Whether the line (or the "|" part) after a name holds a job title: the name is a signature's."""
    k = end + 1
    while k < len(toks) and toks[k].text not in ("\n", "|", CONTACT_MARK):
        if toks[k].low in _TITLE_WORDS:
            return True
        k += 1
    return False


def _opens_message(toks: list[_Tok], i: int) -> bool:
    """Whether token i starts the message, after at most a greeting ("Hi! Dana Li - looking for…")."""
    return i == 0 or all(t.low in _GREETINGS or not t.is_word for t in toks[:i])


def _greets_or_signs(words: list[str]) -> bool:
    """"Viele Grüße", "Good Morning": a greeting or a sign-off standing as its own line is not a name."""
    return any(w.lower() in _SIGNOFF_WORDS or w.lower() in _GREETINGS for w in words)


def _sentence_of_its_own(toks: list[_Tok], start: int, end: int) -> bool:
    """A full name standing as its own sentence ("Tom O'Brien.") or opening one about the writer ("Giulia De Luca,
    I'm an opera singer"; "Ngozi Eze, and the shoot is…")."""
    if end >= len(toks):
        return True
    if toks[end].text in (".", "!", "\n"):
        return True
    return toks[end].text == "," and end + 1 < len(toks) and toks[end + 1].low in ("i'm", "im", "i", "and", "here")


def _span(toks: list[_Tok], j: int, words: list[str]) -> int:
    """How many tokens the name words took from token j (an initial "J." takes two, titles skipped)."""
    k = j
    while k < len(toks) and toks[k].low in _TITLES:
        k += 2 if k + 1 < len(toks) and toks[k + 1].text == "." else 1
    for word in words:
        k += word.count(".") + len([p for p in word.split(".") if p]) if "." in word else 1
    return k - j if words else 0


def _matches(toks: list[_Tok], i: int, phrase: tuple[str, ...]) -> bool:
    return i + len(phrase) <= len(toks) and all(toks[i + k].low == w for k, w in enumerate(phrase))


def _after_greeting(toks: list[_Tok]) -> int:
    i = 0
    while i < len(toks) and (toks[i].low in _GREETINGS or not toks[i].is_word):
        i += 1
    return i


def _here_gap_ok(toks: list[_Tok], start: int, here: int) -> bool:
    """"Dana here" or "Jordan from Pinecrest Dental here": nothing but a "from/at/with …" between name and here."""
    return start == here or (toks[start].low in ("from", "at", "with", "of") and all(t.is_word for t in toks[start:here]))


def _closes_message(toks: list[_Tok], end: int) -> bool:
    """Nothing but punctuation, contact details, emoji or pronouns ("Dana 😊", "Sam (she/her)") after the name."""
    rest = [t for t in toks[end:] if t.low not in _PRONOUNS]
    return all(t.text in (".", "!", "\n", ",", CONTACT_MARK, "(", ")", "/") or not (t.is_word or t.text.isdigit() or t.text in "?")
               for t in rest)  # fmt: skip


_PRONOUNS = frozenset({"she", "her", "hers", "he", "him", "his", "they", "them", "theirs", "elle", "il", "iel"})


def _name_words(toks: list[_Tok], j: int, lowercase_writer: bool, *, strict: bool, closed: bool = False,
                naming: bool = False, here: bool = False) -> list[str]:  # fmt: skip
    """Up to four name words from token j: capitalised words (and particles between them); lower-case words only
    from a writer who writes everything in lower case, and then only when the name is followed by a boundary.
    After "my name is" (`naming`) the name may run up to a connector ("…rose martinez and i need")."""
    while j < len(toks) and toks[j].low in _TITLES:
        j += 2 if j + 1 < len(toks) and toks[j + 1].text == "." else 1
    words: list[str] = []
    k = j
    while k < len(toks) and len(words) < MAX_WORDS + 2:
        tok = toks[k]
        word = tok.text.rstrip(".")
        low = word.lower().replace("’", "'")
        if (words and len(word) == 1 and tok.capital and not tok.spaced and words[-1].endswith(".")
                and len(words[-1].rstrip(".").split(".")[-1]) == 1 and k + 1 < len(toks) and toks[k + 1].text == "."):  # fmt: skip
            words[-1] += word + "."  # "J.R.": initials written together stay together
            k += 2
            continue
        if words and len(word) == 1 and tok.capital and k + 1 < len(toks) and toks[k + 1].text == "." and not _is_initial(toks, k):
            words.append(word + ".")  # "Sam K." closing: the initial keeps its dot
            k += 2
            continue
        if _is_initial(toks, k) or (words and low == "st" and _is_initial(toks, k, abbreviation=True)):
            words.append(word + ".")  # "J. Okafor", "cheers, T. Nakamura", "Marguerite St. Clair"
            k += 2
            continue
        name_like = tok.capital and low in _NAME_LIKE and (here or _name_like_here(toks, k, words))
        refused = (low in NEVER_NAMES and not name_like) or (low in NOT_NAMES and not (closed and tok.capital) and not name_like) or _describes(tok)
        if not tok.is_word or (refused and not (words and low in _PARTICLES)):
            break
        if not tok.capital:
            if words and low in _PARTICLES and _capital_after_particles(toks, k + 1):
                words.append(word)  # "Pieter van der Berg", "Maricel de la Cruz"
                k += 1
                continue
            if not (lowercase_writer or closed) or (words and words[0][:1].isupper()):
                break
        if (low.endswith("ing") and not (tok.capital and ("-" in low or words))) or (not words and not tok.capital and low.endswith(("ed", "ly"))):
            break  # "I'm giving a talk"; "Mei-Ling" and "Wang Xiaoming" are names
        words.append(word)
        k += 1
    if not words or len(words) > MAX_WORDS:
        return []
    lower = not words[0][:1].isupper()
    at_boundary = k >= len(toks) or toks[k].text in _BOUNDARY or not toks[k].is_word or toks[k].low in _AFTER_NAME
    if (lower or strict) and not at_boundary:
        if (naming or not lower) and not closed and toks[k].low in _CONNECTORS:
            return words  # "this is Chidi Okafor from Okafor & Partners", "I'm Dana Li and I need…"
        if toks[k].low in _DESCRIBING_SUFFIXES or toks[k].low in _ROLES:
            return []  # "I'm Vancouver Based", "I'm Senior Designer": a description in title case
        return [] if lower or closed else words[:1] if toks[k].low in NOT_NAMES else []
    return words


# Words that may follow a name directly: "Dana here", "im danny wong lol need…", "Noor speaking", "Tanaka Yuki desu"
_AFTER_NAME = frozenset({"btw", "here", "by", "lol", "haha", "lmao", "tbh", "speaking", "desu", "po"})


def _capital_after_particles(toks: list[_Tok], k: int) -> bool:
    while k < len(toks) and toks[k].low in _PARTICLES:
        k += 1
    return k < len(toks) and toks[k].capital


_ROLES = frozenset(
    """designer developer engineer manager director consultant coach agent realtor lawyer doctor nurse accountant
    advisor teacher student actor actress model founder ceo owner partner analyst officer assistant coordinator
    recruiter broker writer artist photographer producer specialist""".split()
)
_CONNECTORS = frozenset({"from", "at", "with", "of", "and", "here", "in", "on", "for", "&", "y", "et"})
# The second half of "Vancouver-based", "Montreal-born": a word that describes, not a name.
_DESCRIBING_SUFFIXES = frozenset({"based", "born", "raised", "bound", "area", "ish", "friendly", "owned", "run", "focused",
                                  "savvy", "minded", "style", "like", "native", "resident", "certified", "licensed"})  # fmt: skip


def _describes(tok: _Tok) -> bool:
    parts = tok.low.split("-")
    return len(parts) > 1 and parts[-1] in _DESCRIBING_SUFFIXES


def _is_initial(toks: list[_Tok], k: int, abbreviation: bool = False) -> bool:
    """A capital letter (or "St") and a dot before a capitalised word: an initial, not a sentence end."""
    tok = toks[k]
    return ((abbreviation or len(tok.text) == 1) and tok.capital and k + 2 < len(toks) and toks[k + 1].text == "."
            and toks[k + 2].is_word and toks[k + 2].capital)  # fmt: skip


def _name_like_here(toks: list[_Tok], k: int, words: list[str]) -> bool:
    """A name-like word ("Will", "Hope") reads as a name when it follows a name word or precedes a capitalised
    surname or a boundary: "I'm Will Hartmann", "Thanks, Will", but not "I'm Available Friday"."""
    if words:
        return True
    after = toks[k + 1] if k + 1 < len(toks) else None
    return after is None or after.text in _BOUNDARY or (after.is_word and after.capital and after.low not in NOT_NAMES)


def read_name(text: str) -> str | None:
    """A bare answer to "what name?": one to six words of letters, None when it does not read as a name. What
    follows a dash, a bracket or a comma may explain the name ("Li Na — Li is my family name")."""
    text = _EXPLAINED_RE.split(text.strip(), maxsplit=1)[0]
    words = text.strip().strip(".!").split()
    if not 1 <= len(words) <= MAX_WORDS + 2 or not all(_WORD_RE.fullmatch(w) for w in words):
        return None
    if words[0].lower() in NOT_NAMES and words[0].lower() not in _NAME_LIKE_MONTHS:
        return None
    name = " ".join(words)
    return tidy_name(name) if len(name) <= MAX_NAME else None


_NAME_LIKE_MONTHS = {"may", "june", "april", "august"}
_EXPLAINED_RE = re.compile(r"\s+[—–-]+\s+|\s*\(|,\s+")


def tidy_name(name: str) -> str:
    """Capitalise a name typed all in lower case; keep any other casing as the person wrote it."""
    return name.title() if name.islower() else name
