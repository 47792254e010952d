"""Offline answers from the knowledge pack: TF-IDF, naive Bayes and fuzzy matching blended, after synonyms and typo fixes."""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from bot.content import ContentPack, KnowledgeEntry, safe_load
from bot.engine.answers import Answer
from bot.engine.render import fill
from bot.engine.vocabulary import AnswerKind

# Words that carry no topic. "long", "much", "when" and "where" stay: they matter here. So do "you", "your", "me"
# and "my": they tell "do you use AI?" (the studio) from "AI changed my face" (the prospect's own pictures).
# Similarity ignores them; naive Bayes does not (see `_Bayes`).
_STOPWORDS = frozenset(
    {
        "a", "an", "the", "i", "we", "our", "ours", "yours", "yourself", "yourselves", "it", "its", "itself", "is",
        "are", "am", "be", "been", "being", "was", "were", "do", "does", "did", "doing", "done", "to", "of", "in",
        "on", "at", "for", "with", "and", "or", "but", "so", "if", "then", "than", "that", "this", "these", "those",
        "there", "here", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "just", "please",
        "hi", "hello", "hey", "thanks", "thank", "im", "i'm", "ive", "i've", "id", "i'd", "youre", "you're", "whats",
        "what's", "it's", "it'd", "about", "get", "got", "some", "any", "also", "very", "quite", "what", "which",
        "who", "whom", "how", "as", "by", "from", "into", "onto", "up", "out", "over", "under", "he", "she", "they",
        "them", "their", "his", "her", "him", "there's", "that's", "like", "lol", "ok", "okay", "um", "uh", "ever",
        "even", "still", "yet", "too", "such", "maybe", "kind", "sort", "thing", "things", "something", "anything",
        "curious", "wondering", "wonder", "wondered", "through", "question", "questions", "tell", "let", "know",
        "cheers", "sorry", "btw", "anyway", "guys", "pls", "plz", "hiya", "not", "no", "all", "don't", "dont",
        "doesn't", "didn't", "isn't", "aren't", "can't", "cant", "won't", "nah", "yeah", "yep", "yup", "haha",
        "hahaha", "lmao", "tbh", "omg", "idk", "ngl", "rn",
    }
)
# Adverbs that only add emphasis, dropped before phrases are matched: "when is it totally okay" meets "when is it okay".
_FILLERS = frozenset(
    {
        "really", "actually", "totally", "basically", "honestly", "literally", "definitely", "completely",
        "absolutely", "seriously", "truly", "kinda", "sorta",
    }
)
_WORD_RE = re.compile(r"[a-z0-9$]+(?:'[a-z]+)?")
# Whether an entry answers a question, calibrated on tests/data/consult_tune.yaml (rich in the hard case: questions
# about the studio that no entry answers) so that at most 2 % of in-domain questions get a wrong entry; see
# benchmarks/README.md. The best entry must score this much, and the entry must know words carrying this share of
# the question's weight: "can I watch the photos on a laptop as you take them?" is near an entry, but "laptop"
# and "watch" are not in it.
DEFAULT_THRESHOLD = 0.58
MIN_COVERAGE = 0.4
# An out-of-scope topic is chosen when it scores at least this much; below DEFAULT_THRESHOLD it also needs no entry
# to answer the question.
OUT_OF_SCOPE_THRESHOLD = 0.32
# Weights of the blended score (they sum to 1), tuned on paraphrase sets since retired and on 5-fold cross-validation over
# the pack's own examples, never on the held-out eval set. Every feature lies in [0, 1].
WEIGHTS = {"best": 0.25, "top2": 0.17, "document": 0.09, "fuzzy": 0.23, "bayes": 0.26}
# An out-of-scope topic wins when it scores within this of the best entry: a polite redirect beats a wrong answer.
OUT_OF_SCOPE_MARGIN = 0.08
# A message no entry answers goes to the photographer only when it reads as being about the studio (`_Domain`);
# below this score it gets the pack's default redirect. Calibrated on the tune splits (tune, tune3).
DOMAIN_THRESHOLD = -0.5
# The question sentence of a longer message is answered alone only above these (tune splits: +3 points of right
# entries, no wrong one more); a story's single question is otherwise diluted by the story's words.
ASKED_SENTENCE_THRESHOLD = 0.62
# A message whose best entry scores under FAR_SCORE and knows under FAR_COVERAGE of its words is redirected unless
# it reads as asked of the studio (`_Domain` score at least FAR_DOMAIN).
FAR_SCORE = 0.25
UNANSWERED_MARGIN = 0.05  # swept 0-0.2 on the tune splits: 0.2 changed nothing, 0-0.1 took one wrong entry off
FAR_COVERAGE = 0.25
FAR_DOMAIN = 1.0
# An entry below the threshold answers when it leads clearly on every count (see `Retriever.match`).
CLEAR_LEADER_SCORE = 0.5
CLEAR_LEADER_MARGIN = 0.15
CLEAR_LEADER_COVERAGE = 0.75
CLEAR_LEADER_BAYES = 0.7
ASKED_SENTENCE_COVERAGE = 0.5
DOMAIN_ALPHA = 0.5
FOREIGN_UNRELATED = -5.0
# A message a redirect topic wins is still handed to the photographer when it reads this clearly as being about the
# studio ("do you shoot on a tripod or handheld?", "is tipping expected?"); calibrated on the tune splits.
STUDIO_VETO = 1.5  # a message in another language with none of the pack's studio words
# Words the pack has never seen still count towards the query's length, so an off-topic question scores low.
UNKNOWN_IDF = 2.5
# How often (in pyspellchecker's English subtitles counts) a word must occur to be taken as meant, never corrected
# towards a pack word: "interns" (2,799) is not "interac", "watermark" (184) is left alone too. Swept 50-3,000 on
# the tune splits; 50 and 300 let rare words through as typos of pack words, 3,000 corrects "interns" again.
ENGLISH_MIN_COUNT = 1000
# Naive Bayes: answer words count for less than example questions; smoothing and temperature keep it from being sure.
BAYES_ANSWER_WEIGHT = 0.3
BAYES_ALPHA = 0.1
BAYES_TEMPERATURE = 2.0


# Attempts to steer the bot rather than ask about headshots. Matched before retrieval, because words like "price"
# or "bookings" would otherwise pull them towards a knowledge entry.
_INJECTION = re.compile(
    r"""\b(ignore|disregard|forget|override|bypass)\b.{0,40}
        \b(instructions?|rules|prompts?|previous|above|guidelines)\b
    | \b(system|hidden|initial)\s+(prompt|instructions?|message|config\w*)\b
    | \b(change|set|update|lower|reduce|drop|edit|modify|make)\b.{0,40}\b(prices?|pricing|costs?|rates?|fees?)\b
        .{0,40}(\bto\s+\$?\d|\$0\b|\b(free|zero|nothing)\b)
    | \b(api|secret|access|bot)\s*(key|token)s?\b | \b(admin|bot|system|database|owner'?s?)\s+passwords?\b
    | \badmin(istrator)?\s+(panel|access|mode|account|rights|console)\b | \bdeveloper\s+mode\b | \bjailbreak | \bsudo\b
    | \b(list|show|give|export|dump|send|print|tell|read)\b.{0,30}\b(all|every|other)\b.{0,30}
        \b(leads?|emails?|phone\s+numbers?|contact\s+details|database|records)\b
    | \bother\s+(clients|customers|users|people)('s?)?\s+(emails?|names?|numbers?|phones?|details|data|info)
    | \b(you\s+are|you'?re|u\s+r)\s+now\b | \bfrom\s+now\s+on\b.{0,30}\b(you|reply|respond|answer|speak|talk|only)\b
    | </?\s*(system|assistant|user|instructions?)\s*> | \[/?(system|inst)\] | ^\s*(system|admin)\s*:
    | \#{2,}\s*(system|end\s+of\s+(user\s+)?input|assistant|instructions?)\b
    | \b(olvida|ignora)\s+(tus|las|todas\s+las)\s+(reglas|instrucciones)\b | \bahora\s+eres\b
    | \b(oublie|ignore)\s+(tes|vos|les)\s+(r[eè]gles|instructions|consignes)\b | \bagir\s+en\s+tant\s+qu
    | \b(promo|discount|coupon)\s+(code\s+)?(of|de|for)\s+100\s*%
    | \b(everyone|everybody)'?s\s+(bookings|appointments|galleries|emails|phone\s+numbers|details)\b
    | \b(her|his|their)\s+(gallery|booking|photos?)\s+link\b | \bfull\s+(calendar|schedule|client\s+list)\b
    | \b(send|give|share|tell)\s+me\s+(their|the\s+other)\s+(contact|emails?|phone|numbers?|names?)\b
    | \b(r[eè]gles|instructions|consignes)\s+(cach[eé]es|secr[eè]tes)\b | \bact\s+as\s+(a|an|my|the)\b
    | \bpretend\b.{0,20}\b(you|to\s+be)\b | \brole-?\s?play
    | \b(reveal|repeat|print|output|show)\b.{0,30}\b(your|the|system)\s+(prompt|instructions|configuration|config)\b
    | \b(approve|give|grant|apply|authori[sz]e)\b.{0,30}\b\d{2,3}\s*%\s*(off|discount) | \b100\s*%\s*(off|discount)
    | \b(delete|drop|wipe|erase|truncate)\s+((the|all|every|your)\s+)*(database|tables?|records|bookings|leads)\b
    | \b(photographer|owner|studio|manager)\s+(told|said|promised|agreed|offered)\b.{0,80}
        (\b\d{1,3}\s*%|\bfree\b|\bdiscount\b|\bhalf\s+price\b) .{0,80}\b(confirm|in\s+writing|honou?r)\b
    | \b(write|reply|answer|respond|speak)\b.{0,30}\bas\s+if\s+(you|u)\s+(are|were|r)\b
    | \b(send|give|share|forward|show)\s+me\s+(her|his|their)\s+(photos?|pictures|headshots|gallery|images|files)\b
    | \bupdate\s+your\s+(knowledge|pack|rules|instructions|prompt|facts|policies)\b
    | \bhow\s+much\s+did\s+(each\s+of\s+them|each|they\s+each|other\s+clients|your\s+clients)\s+pay\b
    | \b(copy|paste|dump|print|output|share|send|give|show|post)\b.{0,30}\b(entire|whole|full|complete)\s+
        (knowledge(\s+(pack|base))?|pack|prompts?|instructions|rules|training\s+data|config\w*|database|faq)\b
    | \b(names?|emails?|phone\s+numbers?|contact\s+(details|info))\s+of\s+(the\s+|your\s+|other\s+|all\s+)*
        (clients|customers|people|prospects)\b.{0,40}\b(booked|scheduled|coming\s+in|this\s+week|today|tomorrow)\b
    | \bwho\s+(else\s+)?(is|has|was|'s)\s+(booked|coming\s+in|scheduled)\b
    | (忽略|无视|忘记).{0,12}(指令|规则|提示|设定) | 系统提示 | 提示词""",
    re.IGNORECASE | re.VERBOSE,
)
INJECTION_TOPIC = "prompt_injection"


def is_injection(text: str) -> bool:
    """Whether a message tries to steer the bot: read folded to ASCII, and as written for scripts folding drops."""
    return bool(_INJECTION.search(_fold(text)) or (not text.isascii() and _INJECTION.search(text.lower())))


GIBBERISH_TOPIC = "gibberish"
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Match:
    """Where a question lands: an entry, an out-of-scope topic, or nowhere."""

    topic: str | None
    score: float
    out_of_scope: bool = False
    runner_up: str | None = None  # the next entry, for the CLI and for tuning
    margin: float = 0.0  # best entry's score minus the next one's
    coverage: float = 0.0  # share of the question's word weight the best entry knows


class Normaliser:
    """Lower-case, fold accents, fix spellings and typos, map synonyms, stem lightly."""

    def __init__(
        self,
        synonyms: dict[str, list[str]],
        spellings: dict[str, list[str]] | None = None,
        english: Collection[str] = frozenset(),
    ) -> None:
        self._english = english
        # Shorthand ("u", "hw") is spelled out before phrases are matched, so "hw much" still meets "how much".
        self._spellings = {_fold(v).strip(): word for word, variants in (spellings or {}).items() for v in variants}
        self._phrases: dict[str, str] = {}  # folded phrase -> " canonical "
        self._words: dict[str, str] = {}
        for canonical, variants in synonyms.items():
            for variant in (canonical, *variants):
                variant = _fold(variant).strip()
                if " " in variant or "-" in variant or not variant.isalnum():
                    self._phrases.setdefault(variant, f" {canonical} ")
                else:
                    self._words.setdefault(variant, canonical)
        # Inflections the file does not list ("airbrushed" as well as "airbrush") map like the word they stem from.
        # Only base forms lead: the stem of "news" or "rights" would also catch "new" or "right".
        self._stems: dict[str, str] = {}
        for variant, canonical in self._words.items():
            if (stem := _stem(variant)) == variant.removesuffix("e"):
                self._stems.setdefault(stem, canonical)
        # One pass of one alternation instead of a regex per phrase. Longest phrase first, so "how long until" beats
        # "how long"; a phrase cut off mid-word fails the lookahead and the next, shorter one is tried.
        alternation = "|".join(re.escape(p) for p in sorted(self._phrases, key=lambda p: (-len(p), p)))
        self._phrase_re = re.compile(rf"(?<![\w$])(?<![\w$]-)(?:{alternation})(?![\w$]|-\w)") if alternation else None
        self._known: frozenset[str] = frozenset()
        self._surface: list[str] = []
        self._cache: dict[str, str | None] = {}

    def learn(self, texts: Iterable[str], tokens: Iterable[list[str]] | None = None) -> None:
        """Fix the vocabulary that typos are corrected towards: the pack's own words, synonyms and stopwords.

        `tokens`, when given, are the texts' content words already (`words(text, correct=False)[0]`), which saves
        normalising every text twice at start.
        """
        texts = list(texts)
        counts = Counter(w for text in texts for w in _WORD_RE.findall(_fold(text)))
        counts.update({w: 1 for p in (*self._phrases, *self._words, *_STOPWORDS) for w in _WORD_RE.findall(p)})
        # Most frequent first, so a tie between two corrections goes to the more common word.
        self._surface = [w for w, _ in counts.most_common() if len(w) >= 3 and w.isalpha()]
        if tokens is None:
            tokens = (self.tokens(text, correct=False) for text in texts)
        self._known = frozenset(counts) | {t for words in tokens for t in words}
        self._cache.clear()

    @property
    def known(self) -> frozenset[str]:
        """Every word the pack, its synonyms and the stopwords use (what typos are not)."""
        return self._known

    def tokens(self, text: str, *, correct: bool = True) -> list[str]:
        """The content words of a text, as the retrieval compares them."""
        return self.words(text, correct=correct)[0]

    def words(self, text: str, *, correct: bool = True, originals: bool = True) -> tuple[list[str], list[str]]:
        """The content words of a text, and every word (stopwords too, for naive Bayes), in one pass.

        A corrected typo is kept in its original spelling as well, unless `originals` is false.
        """
        unknown: list[str] = []
        respelled = _WORD_RE.sub(lambda m: self._respell(m.group(), unknown if correct else None), _fold(text))
        folded = " ".join(respelled.split())  # one space between words, so a dropped filler cannot split a phrase
        if self._phrase_re is not None:
            folded = self._phrase_re.sub(lambda m: self._phrases[m.group()], folded)
        words = [self._words.get(w) or self._stems.get(_stem(w), w) for w in _WORD_RE.findall(folded)]
        # A corrected word keeps its unknown original as well: a wrong guess ("prime" -> "price") then only half counts.
        every = [(w, _stem(w)) for w in (*words, *(unknown if originals else ()))]
        return [stem for w, stem in every if w not in _STOPWORDS], [stem for _, stem in every]

    def _respell(self, word: str, unknown: list[str] | None) -> str:
        """The word with shorthand spelled out and, when `unknown` collects originals, a typo corrected."""
        word = self._spellings.get(word, word)
        if word in _FILLERS:
            return ""
        if unknown is None or len(word) < 4 or word in self._known or _stem(word) in self._known:
            return word
        fixed = self._correct(word)
        if fixed is None:
            return word
        unknown.append(word)
        return fixed

    def _correct(self, word: str) -> str | None:
        if word in self._english:
            return None  # a word of English ("interns", "watermark") is not a slip for a pack word ("interac")
        if word not in self._cache:
            if len(self._cache) > 20_000:
                self._cache.clear()  # prospects type endless new words; keep a long-running bot's memory flat
            # One slip (a transposition counts once) in short words, two in long ones; typos rarely hit the first letter.
            # A word that only lacks or adds an ending ("nice", "nicer") is another word, not a slip.
            limit = 1 if len(word) <= 6 else 2
            near = (w for w in self._surface if w[0] == word[0] and abs(len(w) - len(word)) <= limit)
            pool = [w for w in near if not w.startswith(word) and not word.startswith(w)]
            best = process.extractOne(word, pool, scorer=OSA.distance, score_cutoff=limit)
            self._cache[word] = best[0] if best else None
        return self._cache[word]


@functools.cache
def english_words() -> frozenset[str]:
    """Words of English common enough that a prospect who types one meant it (pyspellchecker's frequency list)."""
    frequencies = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in frequencies.items() if count >= ENGLISH_MIN_COUNT)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " " + text.lower() + " "


def _stem(word: str) -> str:
    """A Porter-lite stem: enough that "prices", "priced" and "price" meet, cheap enough to run per keystroke."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # shopping -> shop
            break
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def _idf(docs: list[list[str]]) -> dict[str, float]:
    frequency = Counter(t for doc in docs for t in set(doc))
    return {t: math.log((1 + len(docs)) / (1 + n)) + 1 for t, n in frequency.items()}


class _Index:
    """Sparse TF-IDF vectors of a list of documents with an inverted index, for fast cosine similarity."""

    def __init__(self, docs: list[list[str]], unknown_idf: float = 0.0, idf: dict[str, float] | None = None) -> None:
        self.idf = idf or _idf(docs)
        self.unknown_idf = unknown_idf
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            for t, w in self.vector(doc).items():
                self.postings[t].append((i, w))
        self.size = len(docs)

    def vector(self, tokens: list[str]) -> dict[str, float]:
        """A unit-length TF-IDF vector; unseen tokens count towards the length when `unknown_idf` is set."""
        counts = Counter(tokens)
        vector = {t: (1 + math.log(n)) * self.idf.get(t, self.unknown_idf) for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items() if t in self.idf}

    def scores(self, tokens: list[str]) -> list[float]:
        """Cosine similarity of the tokens with every document."""
        out = [0.0] * self.size
        for i, sim in self.sparse_scores(tokens).items():
            out[i] = sim
        return out

    def sparse_scores(self, tokens: list[str]) -> dict[int, float]:
        """Cosine similarity of the tokens with the documents that share a word with them."""
        out: dict[int, float] = defaultdict(float)
        for t, w in self.vector(tokens).items():
            for i, dw in self.postings.get(t, ()):
                out[i] += w * dw
        return out


class _Bayes:
    """Multinomial naive Bayes over the topics: learns which words tell similar topics apart.

    It reads every word, stopwords too: it learns what they weigh, and "is it ok to", "does it" or "make me" tell a
    question about AI from a request for AI pictures, or one AI topic from another, better than the content words
    alone. A word every topic uses costs nothing: its likelihood is about the same in each topic.
    """

    def __init__(self, examples: list[list[str]], documents: list[list[str]]) -> None:
        counts = [
            Counter(ex) + Counter({t: n * BAYES_ANSWER_WEIGHT for t, n in Counter(doc).items()})
            for ex, doc in zip(examples, documents, strict=True)
        ]
        vocabulary = {t for c in counts for t in c}
        self.logp: list[dict[str, float]] = []
        self.floor: list[float] = []
        for c in counts:
            total = sum(c.values()) + BAYES_ALPHA * len(vocabulary)
            self.logp.append({t: math.log((n + BAYES_ALPHA) / total) for t, n in c.items()})
            self.floor.append(math.log(BAYES_ALPHA / total))
        self.vocabulary = vocabulary

    def posterior(self, tokens: list[str]) -> list[float]:
        """P(topic | tokens) with a uniform prior, softened so one word cannot make it certain."""
        known = [t for t in tokens if t in self.vocabulary]
        if not known:
            return [0.0] * len(self.logp)
        logs = [
            sum(lp.get(t, fl) for t in known) / BAYES_TEMPERATURE for lp, fl in zip(self.logp, self.floor, strict=True)
        ]
        top = max(logs)
        exp = [math.exp(x - top) for x in logs]
        total = sum(exp)
        return [e / total for e in exp]


class _Domain:
    """Whether a message is about the studio at all: a two-class naive Bayes, the entries' examples against the
    redirect topics' examples, over words and word pairs, stopwords included.

    Nearness to an entry cannot tell "is there a washroom at the studio?" (the photographer answers) from "how long
    do I boil an egg?" (not ours to answer): both are far from every entry. How they are asked can: "do you", "at
    the studio", "can I bring" against "how do I", "my iPhone", "best ... on Amazon". The score is the mean log-odds
    per known feature, scaled by the square root of their number, so a long message is not judged by length alone.
    """

    def __init__(self, inside: list[list[str]], outside: list[list[str]], studio_words: Iterable[str] = ()) -> None:
        self.studio_words = frozenset(_fold(w).strip() for w in studio_words)
        counts = (Counter(f for ws in inside for f in set(_pairs(ws))), Counter(f for ws in outside for f in set(_pairs(ws))))
        sizes = (len(inside) + 2 * DOMAIN_ALPHA, len(outside) + 2 * DOMAIN_ALPHA)
        self.weight = {
            f: math.log((counts[0][f] + DOMAIN_ALPHA) / sizes[0]) - math.log((counts[1][f] + DOMAIN_ALPHA) / sizes[1])
            for f in counts[0].keys() | counts[1].keys()
        }

    def score(self, words: list[str], text: str = "") -> float:
        """Above 0 leans to the studio, below 0 to something else; 0 when it cannot tell (under three words). In a
        language the examples barely use (fewer than half the words known), the pack's studio words decide: with
        one ("photographe", "sesión") it cannot tell, without one it is something else."""
        if len(words) < 3:  # "hi", "thanks!": the engine's
            return 0.0
        if sum(w in self.weight for w in words) < len(words) / 2:
            if not self.studio_words or set(_WORD_RE.findall(_fold(text))) & self.studio_words:
                return 0.0
            return FOREIGN_UNRELATED
        known = [self.weight[f] for f in set(_pairs(words)) if f in self.weight]
        return sum(known) / math.sqrt(len(known)) if known else 0.0


def _pairs(words: list[str]) -> list[str]:
    return [*words, *(f"{a}_{b}" for a, b in itertools.pairwise(["^", *words, "$"]))]


class Retriever:
    """Ranks the pack's entries (and out-of-scope topics) for a question by a blend of five similarities."""

    def __init__(
        self, content: ContentPack, threshold: float = DEFAULT_THRESHOLD, weights: dict[str, float] | None = None
    ) -> None:
        self.content = content
        self.threshold = threshold
        self.min_coverage = MIN_COVERAGE
        self.oos_threshold = OUT_OF_SCOPE_THRESHOLD
        self.weights = weights or WEIGHTS
        self.oos_margin = OUT_OF_SCOPE_MARGIN
        self.normaliser = Normaliser(*load_synonyms(content.root), english=english_words())
        self.topics: list[tuple[str, bool]] = []  # (id, out of scope)
        examples: list[tuple[int, str]] = []  # (topic index, example text)
        answers: list[str] = []  # per topic, the words its document has besides its examples
        for entry in content.knowledge:
            examples += [(len(self.topics), q) for q in (entry.title, *entry.questions)]
            # The entry-level document adds the answer's words, which the examples alone may never use.
            answers.append(content.render_answer(entry))
            self.topics.append((entry.id, False))
        for topic in content.out_of_scope.topics:
            examples += [(len(self.topics), q) for q in topic.examples]
            answers.append("")  # not the reply: it talks about headshots on purpose
            self.topics.append((topic.id, True))
        self._owner = [i for i, _ in examples]
        # Each text is normalised once (without typo correction, which needs the vocabulary this builds); a topic's
        # document is its examples' words plus its answer's.
        parsed = [self.normaliser.words(text, correct=False) for _, text in examples]
        parsed_docs = [self.normaliser.words(text, correct=False) for text in answers]
        for owner, (content_words, every) in zip(self._owner, parsed, strict=True):
            parsed_docs[owner][0].extend(content_words)
            parsed_docs[owner][1].extend(every)
        self.normaliser.learn([text for _, text in examples] + answers, [words for words, _ in (*parsed, *parsed_docs)])
        tokens, doc_tokens = [content for content, _ in parsed], [content for content, _ in parsed_docs]
        by_topic: list[list[str]] = [[] for _ in self.topics]
        for owner, (_, every) in zip(self._owner, parsed, strict=True):
            by_topic[owner] += every
        # Word weights come from the topic documents: a word is informative when few topics use it, however often.
        self._examples = _Index(tokens, UNKNOWN_IDF, _idf(doc_tokens))
        self._documents = _Index(doc_tokens, UNKNOWN_IDF)
        self._bayes = _Bayes(by_topic, [every for _, every in parsed_docs])
        self._sorted: list[list[str]] = [[] for _ in self.topics]  # each topic's examples, words sorted
        for owner, words in zip(self._owner, tokens, strict=True):
            self._sorted[owner].append(" ".join(sorted(words)))
        self._injection_topic = INJECTION_TOPIC if (INJECTION_TOPIC, True) in self.topics else None
        self._vocabulary: list[set[str]] = [set() for _ in self.topics]  # every word each topic's document uses
        for token, postings in self._documents.postings.items():
            for i, _ in postings:
                self._vocabulary[i].add(token)
        self._index = {topic: i for i, (topic, _) in enumerate(self.topics)}
        redirects = {t.id for t in content.out_of_scope.topics if t.kind == "redirect"}
        self._redirects = frozenset(redirects)
        # Questions about the studio that no entry answers ("is there a studio cat?"), as a nearest-neighbour check:
        # an entry does not answer a question that one of them is plainly nearer to.
        asked_of_studio = [self.normaliser.words(q, correct=False)[0] for q in content.out_of_scope.about_the_studio]
        self._unanswered = _Index(asked_of_studio, UNKNOWN_IDF, _idf(doc_tokens + asked_of_studio))
        self._nearest_example = _Index(tokens, UNKNOWN_IDF, self._unanswered.idf)
        self._abuse_topics = frozenset(t.id for t in content.out_of_scope.topics if t.kind == "abuse")
        inside = [every for owner, (_, every) in zip(self._owner, parsed, strict=True) if not self.topics[owner][1]]
        inside += [self.normaliser.words(q)[1] for q in content.out_of_scope.about_the_studio]
        outside = [every for owner, (_, every) in zip(self._owner, parsed, strict=True) if self.topics[owner][0] in redirects]
        self.domain = _Domain(inside, outside, content.out_of_scope.studio_words)
        self.domain_threshold = DOMAIN_THRESHOLD
        self._default_redirect = content.out_of_scope.default

    def about_studio(self, question: str) -> float:
        """How much the message reads as being about the studio (see `_Domain`)."""
        return self.domain.score(self.normaliser.words(question)[1], question)

    def is_gibberish(self, text: str) -> bool:
        """Keyboard mash ("asdfgh", "kkkkkkk"): no word the pack knows, and a long word no language would write."""
        if not any(c.isalnum() for c in text):  # emoji, punctuation and symbols only: nothing to answer
            return sum(not c.isspace() for c in text) >= 3
        said = [re.sub(r"(.)\1+", r"\1", w) for w in _WORD_RE.findall(_fold(text))]
        if len(said) >= 3 and len(set(said)) <= 2:  # "lol lol lol lol", "hello??? HELLO???? hellooo"
            return True
        words = [w for w in _WORD_RE.findall(_fold(text)) if w.isalpha()]
        if not words or any(w in self.normaliser.known or _stem(w) in self.normaliser.known for w in words):
            return False
        longest = max(words, key=len)
        vowels = sum(c in _VOWELS for c in longest) / len(longest)
        return len(longest) >= 5 and (vowels <= 0.2 or len(set(longest)) <= 2)

    def coverage(self, question: str, topic: str) -> float:
        """The share of the question's word weight (IDF) that the topic's examples and answer know."""
        # A typo's correction counts, not its misspelling: "cots" is "costs", not a word the entry lacks.
        tokens = self.normaliser.words(question, originals=False)[0]
        weights = {t: self._examples.idf.get(t, UNKNOWN_IDF) for t in tokens}
        total = sum(weights.values())
        known = self._vocabulary[self._index[topic]]
        return sum(w for t, w in weights.items() if t in known) / total if total else 0.0

    def features(self, question: str) -> list[dict[str, float]]:
        """Per topic, each similarity the blended score is made of (for tuning and debugging)."""
        tokens, every = self.normaliser.words(question)
        out = [dict.fromkeys(WEIGHTS, 0.0) for _ in self.topics]
        if not tokens:
            return out
        # Closest example, and the mean of the two closest: one lucky example is weaker evidence than two.
        top: list[list[float]] = [[0.0, 0.0] for _ in self.topics]
        for j, sim in self._examples.sparse_scores(tokens).items():
            pair = top[self._owner[j]]
            if sim > pair[1]:
                pair[:] = (pair[0], sim) if sim <= pair[0] else (sim, pair[0])
        documents = self._documents.scores(tokens)
        # Token-sort ratio (the ratio of the sorted words) rewards the same words in the same amount; a token-set
        # ratio would give 100 to any subset. The examples' words are sorted once, at start.
        query = " ".join(sorted(tokens))
        posterior = self._bayes.posterior(every)
        for i, row in enumerate(out):
            first, second = top[i]
            row.update(best=first, top2=(first + second) / 2, document=documents[i], bayes=posterior[i])
            closest = process.extractOne(query, self._sorted[i], scorer=fuzz.ratio)
            row["fuzzy"] = closest[1] / 100 if closest else 0.0
        return out

    def rank(self, question: str) -> list[tuple[str, bool, float]]:
        """Every topic with its blended score for the question, best first."""
        return [(topic, oos, score) for topic, oos, score, _ in self._ranked(question)]

    def _ranked(self, question: str) -> list[tuple[str, bool, float, float]]:
        """`rank`, with each topic's naive-Bayes posterior as well."""
        scored = [
            (topic, oos, sum(w * f[k] for k, w in self.weights.items()), f["bayes"])
            for (topic, oos), f in zip(self.topics, self.features(question), strict=True)
        ]
        return sorted(scored, key=lambda r: -r[2])

    def match(self, question: str) -> Match:
        """The topic a question is about, if an entry answers it or an out-of-scope topic fits; else no topic."""
        if is_injection(question):
            return Match(self._injection_topic, 1.0, out_of_scope=self._injection_topic is not None)
        ranked = self._ranked(question)
        entries = [r for r in ranked if not r[1]] + [("", False, 0.0, 0.0)] * 2
        refusal = next((r for r in ranked if r[1]), ("", True, 0.0, 0.0))
        best, second = entries[0], entries[1]
        margin = round(best[2] - second[2], 4)
        coverage = round(self.coverage(question, best[0]), 4) if best[0] else 0.0
        answers = best[2] >= self.threshold and coverage >= self.min_coverage
        # Below the threshold, an entry still answers when everything points to it alone: far ahead of the next,
        # knowing most of the question's words, and the one the word statistics pick ("yo how quick u send the
        # pics back", "last headshot was 2015… am I overdue?").
        answers = answers or (
            best[2] >= CLEAR_LEADER_SCORE and margin >= CLEAR_LEADER_MARGIN
            and coverage >= CLEAR_LEADER_COVERAGE and best[3] >= CLEAR_LEADER_BAYES
        )
        # Calling a prospect abusive is the worst mistake a refusal can make: an abuse topic must be at least as near
        # as the nearest entry ("a bit embarrassing, but it's for hinge" is a dating-photo question, not an insult).
        abuse_behind = refusal[0] in self._abuse_topics and refusal[2] < best[2]
        if refusal[2] >= self.oos_threshold and (refusal[2] >= best[2] - self.oos_margin or not answers) and not abuse_behind:
            if refusal[0] in self._redirects and self.about_studio(question) >= STUDIO_VETO:
                # near a redirect topic's words ("wifi", "tip", "licence") but asked of the studio: the photographer's
                return Match(None, round(best[2], 4), runner_up=best[0] or None, margin=margin, coverage=coverage)
            return Match(refusal[0], round(refusal[2], 4), True, best[0] or None, margin, coverage)
        if not answers:
            # Near no entry at all and not plainly asked of the studio ("in chess, should I castle early?"): it
            # is about something else, even when its wording is no redirect topic's. (0 is "cannot tell": "hi".)
            far = best[2] < FAR_SCORE and coverage < FAR_COVERAGE
            studio = self.about_studio(question) if self._default_redirect else 0.0
            if self._default_redirect and (studio < self.domain_threshold or (far and studio != 0.0 and studio < FAR_DOMAIN)):
                return Match(self._default_redirect, round(best[2], 4), True, best[0] or None, margin, coverage)
            return Match(None, round(best[2], 4), runner_up=best[0] or None, margin=margin, coverage=coverage)
        if self._nearer_unanswered(question, best[0]):
            return Match(None, round(best[2], 4), runner_up=best[0], margin=margin, coverage=coverage)
        return Match(best[0], round(best[2], 4), runner_up=second[0] or None, margin=margin, coverage=coverage)

    def _nearer_unanswered(self, question: str, topic: str) -> bool:
        """Whether a question the photographer answers (`about_the_studio`) is plainly nearer than every example of
        the entry: "is there a studio cat? I'm allergic" is near the pets entry's words, nearer still to that."""
        if not self._unanswered.size:
            return False
        tokens = self.normaliser.words(question)[0]
        unanswered = max(self._unanswered.sparse_scores(tokens).values(), default=0.0)
        index = self._index[topic]
        entry = max((sim for j, sim in self._nearest_example.sparse_scores(tokens).items() if self._owner[j] == index), default=0.0)
        return unanswered >= entry + UNANSWERED_MARGIN


class PackAnswerer:
    """Answers from the pack alone, the same words every time: the offline `Answerer`."""

    def __init__(self, content: ContentPack, retriever: Retriever | None = None) -> None:
        self.content = content
        self.retriever = retriever or Retriever(content)
        self._entries = {e.id: e for e in content.knowledge}
        self._topics = {t.id: t for t in content.out_of_scope.topics}
        abuse = [t for t in content.out_of_scope.topics if t.kind == "abuse"]
        self._abuse = next((t for t in abuse if t.id == GIBBERISH_TOPIC), abuse[0] if abuse else None)

    def answer(self, question: str) -> str | None:
        """The reply's HTML, or None when the photographer must answer (a shorthand for tools and tests)."""
        return self.respond(question).text

    def respond(self, question: str) -> Answer:
        """How the question is answered: entries (one per part, up to three), a redirect, or a hand-off."""
        parts = split_parts(question)
        if len(parts) == 1 or is_injection(question):  # an injection in one part makes the whole message one
            answer = self._respond_one(question)
            if answer.kind is AnswerKind.ENTRY and len(answer.entries) == 1:
                return self._with_second_topic(question, answer)
            if answer.kind is AnswerKind.INJECTION:
                return answer
            listed = self._respond_listed(question)
            if listed is None and answer.kind is AnswerKind.HANDOFF:
                listed = self._two_topics(question)
            return listed or answer
        outcomes: list[tuple[str, Answer]] = []
        for alone, read in zip(parts, _with_antecedents(parts), strict=True):
            answer = self._respond_one(read)
            earlier = {e for _, a in outcomes for e in a.entries}
            if read != alone and answer.entries and set(answer.entries) <= earlier:
                # Read with the part before it, the part only repeats that part's entry ("how long does a session
                # take and what happens during it?"): a second question asks something else, so it is read alone.
                again = self._respond_one(alone)
                answer = again if again.entries and not set(again.entries) <= earlier else answer
            outcomes.append((read, answer))
        entries = list(dict.fromkeys(e for _, a in outcomes if a.kind is AnswerKind.ENTRY for e in a.entries))
        if not entries:  # several questions, none answered: one hand-off for the whole message
            return self._respond_one(question, whole=False)
        # A part that reads as off-topic beside a part an entry answers is most likely about the session after all
        # ("…and can I watch the photos on a laptop as you take them?"): it is handed off, not redirected.
        missing = tuple(p for p, a in outcomes if a.kind in (AnswerKind.HANDOFF, AnswerKind.INQUIRY, AnswerKind.REDIRECT))
        texts = [self.render(self._entries[e]) for e in entries]
        if missing:
            texts.append(fill(self.content.messages.parts_handoff.strip(), self.content, parts=" / ".join(missing)))
        return Answer(AnswerKind.ENTRY, "\n\n".join(texts), tuple(entries), missing)

    def _respond_one(self, question: str, whole: bool = True) -> Answer:
        if self.retriever.is_gibberish(question) and self._abuse is not None:
            return Answer(AnswerKind.ABUSE, fill(self._abuse.reply.strip(), self.content))
        found = self.retriever.match(question)
        if found.topic is None and whole:
            found = self._match_asked_sentence(question) or found
        if found.topic is None:
            return Answer(AnswerKind.HANDOFF)
        if not found.out_of_scope:
            return Answer(AnswerKind.ENTRY, self.render(self._entries[found.topic]), (found.topic,))
        topic = self._topics.get(found.topic)
        if topic is None:  # the injection pattern matched in a pack without an injection topic
            return Answer(AnswerKind.INJECTION, fill(self.content.messages.small_talk, self.content))
        if topic.kind == "inquiry" and topic.id in self.content.studio.not_offered:
            return Answer(AnswerKind.DECLINED, fill(self.content.messages.not_offered.strip(), self.content))
        return Answer(AnswerKind(topic.kind), fill(topic.reply.strip(), self.content))

    def _respond_listed(self, question: str) -> Answer | None:
        """Topics listed in one breath ("price and turnaround?", "parking + hours"), which no entry answers
        together: each item answered by its own entry, when every item clearly names a different one."""
        items = [i for i in _LIST_RE.split(question.strip()) if i and i.strip(" ?!.")]
        if not 2 <= len(items) <= MAX_PARTS or any(len(i.split()) > LISTED_ITEM_WORDS for i in items):
            return None
        found = [self.retriever.match(i) for i in items]
        entries = list(dict.fromkeys(m.topic for m in found if m.topic is not None and not m.out_of_scope))
        if not all(_answers_clearly(m) for m in found) or len(entries) != len(items):
            return None
        texts = [self.render(self._entries[e]) for e in entries]
        return Answer(AnswerKind.ENTRY, "\n\n".join(texts), tuple(entries))

    def _with_second_topic(self, question: str, answer: Answer) -> Answer:
        """One question about two topics ("can I bring my dog and my husband?", "do you use AI when you edit and
        will it still look like me?"): a stretch of it that clearly asks another entry's topic, while the rest
        still asks the first, adds that entry."""
        first = answer.entries[0]
        # Statements beside the question ("he's very photogenic", "I'm self-conscious about it") only set it up, and a
        # message of statements alone asks one thing: "bad breakout and the shoot is next week" is not about booking.
        asked = _question_sentences(question)[1]
        spans = [s.strip() for p in asked for s in _SPAN_RE.split(p) if s and len(s.split()) >= 2]
        if len(spans) < 2:
            return answer
        found = [(span, self.retriever.match(span)) for span in spans]
        others = [(span, m) for span, m in found if _answers_clearly(m) and m.topic != first]
        if not others or not any(m.topic == first for _, m in found):
            return answer
        second = max(others, key=lambda r: r[1].score)[1].topic
        assert second is not None
        text = "\n\n".join(self.render(self._entries[e]) for e in (first, second))
        return Answer(AnswerKind.ENTRY, text, (first, second), answer.unanswered)

    def _two_topics(self, question: str) -> Answer | None:
        """A message no entry answers as a whole that names two topics, each in its own stretch ("I have rosacea and
        I also wear glasses, is that a nightmare for you?"): both entries, when each stretch clearly asks one."""
        spans = [s.strip() for s in _SPAN_RE.split(question) if s and len(s.split()) >= TOPIC_SPAN_WORDS]
        found = [m for m in (self.retriever.match(span) for span in spans) if _answers_clearly(m)]
        entries = list(dict.fromkeys(m.topic for m in found if m.topic is not None))
        if len(entries) < 2 or len(entries) > MAX_PARTS:
            return None
        return Answer(AnswerKind.ENTRY, "\n\n".join(self.render(self._entries[e]) for e in entries), tuple(entries))

    def _match_asked_sentence(self, question: str) -> Match | None:
        """In a story with one question in it ("So long story short, I got laid off… What should I wear?"), the
        entry that answers the question sentence alone, when it answers it clearly; the story's other words
        otherwise dilute the match. A sentence that points back ("how do you deal with all of that?") needs the
        story, so it is not read alone."""
        sentences, asked = _question_sentences(question)
        if len(sentences) < 2 or len(asked) != 1 or _POINTS_BACK.search(asked[0]):
            return None
        found = self.retriever.match(asked[0])
        return found if _answers_clearly(found) else None

    def render(self, entry: KnowledgeEntry) -> str:
        """An entry's answer as HTML, facts filled in, every character escaped."""
        return escape(self.content.render_answer(entry))


# Where a message with several questions divides: sentence ends, and "and/also/plus" before a new question.
_SENTENCE_RE = re.compile(r"(?<=[?!.])\s+|\n+")
_QUESTION_WORDS = r"(?:how|what|whats|what's|when|where|which|who|why|do|does|did|can|could|is|are|will|would|should|any|may)"
_JOIN_RE = re.compile(
    rf"[,;]?\s+(?:and|n|also|plus|&)\s+(?:also\s+|honestly\s+|then\s+)?(?={_QUESTION_WORDS}\b|(?:you|u)\s)"
    rf"|,\s+(?={_QUESTION_WORDS}\s)",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\W*(?:(?:and|n|also|plus|but|oh|ok|okay|so|well|hi|hey|hello|hola|yes|yeah|yep|um|uh|hmm|honestly|btw|actually"
    rf"|then|lastly|finally|quick\s+question|one\s+more\s+thing|question)\W+)*(?:{_QUESTION_WORDS}|u|r|you)\b",
    re.IGNORECASE,
)
MAX_PARTS = 3
# Items of a list of topics ("price, turnaround and parking?"): short, split at commas, "and", "&", "+" and "/".
_LIST_RE = re.compile(r"\s*(?:,|&|\+|/|\band\b|\bet\b|\by\b)\s*", re.IGNORECASE)
LISTED_ITEM_WORDS = 4
# A stretch that names a topic on its own, in a message no entry answers whole: three words or more ("a book" in
# "a stool, a book, a mug?" is a prop, not the booking entry; swept 2-4 on the tune splits).
TOPIC_SPAN_WORDS = 3
# Stretches of one question that may each name a topic: between conjunctions, commas and question marks.
_SPAN_RE = re.compile(r"\s+(?:and|or|&|\+|vs\.?|versus|plus|also|n)\s+|[,;?!]+\s*|\s+-+\s+|\s+—\s+", re.IGNORECASE)
# A part that points back ("how much extra is that?", "and does it include retouching?") is read with the one before.
_POINTS_BACK = re.compile(r"\b(that|it|this|those|them|they|one)\b|\bif\s+(you\s+do|so|yes)\b", re.IGNORECASE)


def _answers_clearly(found: Match) -> bool:
    """Whether a match read from part of a message is an entry clear enough to answer that part alone."""
    return (
        found.topic is not None and not found.out_of_scope
        and found.score >= ASKED_SENTENCE_THRESHOLD and found.coverage >= ASKED_SENTENCE_COVERAGE
    )


def _question_sentences(text: str) -> tuple[list[str], list[str]]:
    """A message's sentences, and those of them that ask something."""
    sentences = [p.strip() for p in _SENTENCE_RE.split(text.strip()) if p.strip()]
    return sentences, [p for p in sentences if p.endswith("?") or _QUESTION_START.match(p)]


def _with_antecedents(parts: list[str]) -> list[str]:
    out = parts[:1]
    for previous, part in itertools.pairwise(parts):
        out.append(f"{previous} {part}" if _POINTS_BACK.search(part) and len(part.split()) <= 7 else part)
    return out


def split_parts(text: str) -> list[str]:
    """The separate questions in a message (up to three), each with the statements before it as context.

    A message with one question, or more than three, stays whole: it is answered as one question.
    """
    pieces = [p.strip() for s in _SENTENCE_RE.split(text.strip()) for p in _JOIN_RE.split(s) if p.strip()]
    parts: list[str] = []
    context = ""
    for piece in pieces:
        if piece.endswith("?") or _QUESTION_START.match(piece):
            parts.append(f"{context} {piece}".strip())
            context = ""
        else:
            context = f"{context} {piece}".strip()
    if context and parts:
        parts[-1] = f"{parts[-1]} {context}"
    return parts if 2 <= len(parts) <= MAX_PARTS else [text]


def load_synonyms(root: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The synonyms and the spellings of a pack's synonyms file (both empty when the pack has none)."""
    path = root / "synonyms.yaml"
    if not path.exists():
        return {}, {}
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    spellings = data.pop("spellings", None) or {}
    return _word_lists(data), _word_lists(spellings)


def _word_lists(data: dict[object, list[object]]) -> dict[str, list[str]]:
    return {str(k): [str(v) for v in vs] for k, vs in data.items()}
