"""Offline answers from the knowledge pack: TF-IDF over the example questions, with typo tolerance and synonyms."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.content import ContentPack, KnowledgeEntry
from bot.engine.render import fill

# Words that carry no topic. Kept small on purpose: "how", "long", "much" and "when" matter here.
_STOPWORDS = frozenset(
    """a an the i me my we our you your it its is are am be been was were do does did to of in on at for with and or
    but so if then than that this these those there here can could would should will just really please hi hello hey
    thanks thank im i'm ive i've id i'd youre you're whats what's about get got some any also very quite""".split()
)
_WORD_RE = re.compile(r"[a-z0-9$]+(?:'[a-z]+)?")
DEFAULT_THRESHOLD = 0.34
OUT_OF_SCOPE_MARGIN = 0.0


@dataclass(frozen=True)
class Match:
    """Where a question lands: an entry, an out-of-scope topic, or nowhere."""

    topic: str | None
    score: float
    out_of_scope: bool = False


class Normaliser:
    """Lower-case, fold accents, map synonyms, correct typos against the pack's vocabulary, stem lightly."""

    def __init__(self, synonyms: dict[str, list[str]]) -> None:
        self._phrases: list[tuple[re.Pattern[str], str]] = []
        self._words: dict[str, str] = {}
        for canonical, variants in synonyms.items():
            for variant in variants:
                variant = _fold(variant)
                if " " in variant or "-" in variant or not variant.isalnum():
                    self._phrases.append((re.compile(rf"(?<![\w]){re.escape(variant)}(?![\w])"), f" {canonical} "))
                else:
                    self._words[variant] = canonical
        self._phrases.sort(key=lambda p: -len(p[0].pattern))
        self.vocabulary: list[str] = []

    def tokens(self, text: str, *, correct: bool = True) -> list[str]:
        """The content words of a text, as the retrieval compares them."""
        folded = _fold(text)
        for pattern, canonical in self._phrases:
            folded = pattern.sub(canonical, folded)
        out: list[str] = []
        for word in _WORD_RE.findall(folded):
            word = self._words.get(word, word)
            if word in _STOPWORDS:
                continue
            stem = _stem(word)
            if correct and stem not in self._known and len(word) >= 4:
                stem = self._correct(word) or stem
            out.append(stem)
        return out

    def learn(self, vocabulary: set[str]) -> None:
        """Fix the vocabulary that typos are corrected towards."""
        self.vocabulary = sorted(vocabulary)
        self._known = frozenset(vocabulary)

    _known: frozenset[str] = frozenset()

    @lru_cache(maxsize=4096)
    def _correct(self, word: str) -> str | None:
        canonical = self._words.get(word)
        if canonical:
            return _stem(canonical)
        candidates = list(self._words) + self.vocabulary
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=82)
        if best is None:
            return None
        return _stem(self._words.get(best[0], best[0]))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " " + text.lower() + " "


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


class Retriever:
    """Ranks the pack's entries (and out-of-scope topics) for a question."""

    def __init__(self, content: ContentPack, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.content = content
        self.threshold = threshold
        self.normaliser = Normaliser(load_synonyms(content.root))
        docs: list[tuple[str, bool, str]] = []
        for entry in content.knowledge:
            docs += [(entry.id, False, q) for q in (*entry.questions, entry.title)]
        for topic in content.out_of_scope.topics:
            docs += [(topic.id, True, q) for q in topic.examples]
        raw = [self.normaliser.tokens(text, correct=False) for _, _, text in docs]
        self.normaliser.learn({t for tokens in raw for t in tokens})
        frequency = Counter(t for tokens in raw for t in set(tokens))
        self._idf = {t: math.log((1 + len(raw)) / (1 + n)) + 1 for t, n in frequency.items()}
        self._docs = [(topic, oos, self._vector(tokens)) for (topic, oos, _), tokens in zip(docs, raw, strict=True)]

    def _vector(self, tokens: list[str]) -> dict[str, float]:
        counts = Counter(t for t in tokens if t in self._idf)
        vector = {t: (1 + math.log(n)) * self._idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items()}

    def rank(self, question: str) -> list[tuple[str, bool, float]]:
        """Every topic with its best similarity to the question, best first."""
        query = self._vector(self.normaliser.tokens(question))
        best: dict[tuple[str, bool], float] = {}
        for topic, oos, vector in self._docs:
            score = sum(w * vector.get(t, 0.0) for t, w in query.items())
            if score > best.get((topic, oos), -1.0):
                best[(topic, oos)] = score
        return sorted(((t, o, s) for (t, o), s in best.items()), key=lambda r: -r[2])

    def match(self, question: str) -> Match:
        """The topic a question is about, if the pack is confident enough."""
        ranked = self.rank(question)
        if not ranked or ranked[0][2] < self.threshold:
            return Match(None, ranked[0][2] if ranked else 0.0)
        topic, oos, score = ranked[0]
        return Match(topic, round(score, 4), out_of_scope=oos)


class PackAnswerer:
    """Answers from the pack alone, the same words every time: the offline `Answerer`."""

    def __init__(self, content: ContentPack, retriever: Retriever | None = None) -> None:
        self.content = content
        self.retriever = retriever or Retriever(content)
        self._entries = {e.id: e for e in content.knowledge}
        self._out_of_scope = {t.id: t.reply for t in content.out_of_scope.topics}

    def answer(self, question: str) -> str | None:
        """The curated answer for the question, or None when the pack does not cover it."""
        found = self.retriever.match(question)
        if found.topic is None:
            return None
        if found.out_of_scope:
            return fill(self._out_of_scope[found.topic].strip(), self.content)
        return self.render(self._entries[found.topic])

    def render(self, entry: KnowledgeEntry) -> str:
        """An entry's answer as HTML, facts filled in, every character escaped."""
        from html import escape

        return escape(self.content.render_answer(entry))


def load_synonyms(root: Path) -> dict[str, list[str]]:
    """The synonyms file of a pack (empty when the pack has none)."""
    path = root / "synonyms.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): [str(v) for v in vs] for k, vs in data.items()}
