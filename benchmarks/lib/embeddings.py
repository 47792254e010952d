"""Sentence-embedding similarity to the knowledge pack, from wordllama's bundled 256-dimension weights (no download)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import wordllama
from wordllama import WordLlama
from wordllama.inference import WordLlamaInference

from bot.content import ContentPack

# The wheel ships its weights and tokenizer. WordLlama.load() alone looks for the tokenizer in wordllama/tokenizer/,
# but the file sits in wordllama/tokenizers/, so it would try to download it; a cache directory pointing at the
# package finds both files, and disable_download makes a missing file an error instead of a network call.
BUNDLED = Path(wordllama.__file__).resolve().parent
Pooling = Literal["max", "top2"]


def load_model() -> WordLlamaInference:
    """The default wordllama model (l2_supercat, 256 dimensions) from the files inside the installed wheel."""
    model = WordLlama.load(cache_dir=BUNDLED, disable_download=True)
    # The wheel stores the token vectors as float16 and wordllama widens them to float32; keeping the stored
    # precision gives the same vectors in half the memory (16 MB instead of 32). Pooling still sums in float32.
    model.embedding = np.ascontiguousarray(model.embedding.astype(np.float16))
    return model


class EmbeddingScorer:
    """Cosine similarity of a question to every entry's title and questions and every out-of-scope example."""

    def __init__(
        self,
        content: ContentPack,
        model: WordLlamaInference | None = None,
        *,
        pooling: Pooling = "max",
        lower: bool = True,
        center: bool = True,
    ) -> None:
        self.model = model or load_model()
        self.pooling: Pooling = pooling
        self.lower = lower
        self.topics: list[tuple[str, bool]] = []  # (id, out of scope)
        texts: list[str] = []
        owners: list[int] = []
        for entry in content.knowledge:
            for text in (entry.title, *entry.questions):
                texts.append(text)
                owners.append(len(self.topics))
            self.topics.append((entry.id, False))
        for topic in content.out_of_scope.topics:
            for text in topic.examples:
                texts.append(text)
                owners.append(len(self.topics))
            self.topics.append((topic.id, True))
        raw = self._raw(texts)
        # Averaged word vectors share a common direction; removing the pack's mean spreads the cosines out.
        self._mean = raw.mean(axis=0) if center and len(texts) else np.zeros(raw.shape[1], dtype=np.float32)
        self._vectors = _unit(raw - self._mean)  # (examples, dim)
        # Each topic's examples as a row of indices, padded with a sentinel column whose similarity is 0.
        width = max((owners.count(i) for i in range(len(self.topics))), default=1)
        self._slots = np.full((len(self.topics), width), len(texts), dtype=np.intp)
        filled = [0] * len(self.topics)
        for j, owner in enumerate(owners):
            self._slots[owner, filled[owner]] = j
            filled[owner] += 1

    def _raw(self, texts: list[str]) -> np.ndarray:
        """Unnormalised embeddings of texts, lower-cased first when the scorer is."""
        return self.model.embed([t.lower() for t in texts] if self.lower else texts, norm=False)

    def similarities(self, question: str) -> np.ndarray:
        """Cosine similarity of the question with every example (one more trailing 0 for the padding slot)."""
        raw = self._raw([question])
        # A question with no tokens embeds to zero: keep it there rather than at minus the mean.
        vector = _unit(raw - self._mean)[0] if raw.any() else raw[0]
        return np.append(self._vectors @ vector, np.float32(0.0))

    def topic_scores(self, question: str, pooling: Pooling | None = None) -> np.ndarray:
        """Per topic, in `topics` order: the best cosine over its examples, or the mean of its two best."""
        grid = self.similarities(question)[self._slots]
        if (pooling or self.pooling) == "max":
            return grid.max(axis=1)
        if grid.shape[1] < 2:
            return grid[:, 0] / 2
        top = -np.partition(-grid, 1, axis=1)[:, :2]
        return top.mean(axis=1)

    def scores(self, question: str, pooling: Pooling | None = None) -> list[tuple[str, bool, float]]:
        """Every topic (id, out of scope, score), best first, like `Retriever.rank`."""
        values = self.topic_scores(question, pooling).tolist()
        scored = [(topic, oos, value) for (topic, oos), value in zip(self.topics, values, strict=True)]
        return sorted(scored, key=lambda r: -r[2])


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; an all-zero row (an empty question) stays zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
