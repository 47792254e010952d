"""The photographer's content pack in prompts/: loaded once, validated by pydantic (the models: content_schema.py)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content_schema import (  # the file formats, kept importable from here
    RETIRED_MESSAGES,
    Briefs,
    Fact,
    IntakeVocab,
    KnowledgeEntry,
    Messages,
    OutOfScope,
    OutOfScopeTopic,
    Studio,
    SystemPrompts,
    UseVocab,
)
from bot.errors import ContentError

__all__ = [  # the file formats re-exported, and what this module defines
    "PACKAGED_PROMPTS",
    "PLACEHOLDER",
    "RETIRED_MESSAGES",
    "SAFE_LOADER",
    "TELEGRAM_LIMIT",
    "Briefs",
    "ContentPack",
    "Fact",
    "IntakeVocab",
    "KnowledgeEntry",
    "Messages",
    "OutOfScope",
    "OutOfScopeTopic",
    "Studio",
    "SystemPrompts",
    "UseVocab",
    "load_content",
    "safe_load",
]

PACKAGED_PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class ContentPack:
    """Everything in prompts/, plus a version that changes whenever any file changes."""

    root: Path
    studio: Studio
    messages: Messages
    intake: IntakeVocab
    knowledge: tuple[KnowledgeEntry, ...]
    out_of_scope: OutOfScope
    system: SystemPrompts
    briefs: dict[str, str]
    version: str
    # Local try-outs (`chat`, `ask`) show facts still at their example, labelled; Telegram never does.
    show_examples: bool = False

    def with_examples(self) -> ContentPack:
        """The same pack, showing facts still at their shipped example (labelled as such)."""
        return replace(self, show_examples=True)

    @property
    def photographer(self) -> str:
        """The photographer's name, or plain words for them while it is unset."""
        return self.fact("photographer") or self.messages.the_photographer

    @property
    def studio_name(self) -> str:
        """The studio's name, or plain words for it while it is unset."""
        return self.fact("studio_name") or self.messages.the_studio

    def fact(self, key: str) -> str | None:
        """A studio fact's value, or None when unset (an example counts as unset unless examples are shown)."""
        fact = self.studio.facts.get(key)
        if fact is None:
            return None
        if fact.value not in (None, ""):
            return fact.value
        if self.show_examples and fact.example:
            return self.messages.example_fact.format(value=fact.example)
        return None

    def fact_or_confirm(self, key: str) -> str:
        """A studio fact, or the words saying the photographer will confirm it."""
        return self.fact(key) or self.messages.unset_fact.format(photographer=self.photographer)

    def render_answer(self, entry: KnowledgeEntry) -> str:
        """The entry's answer with facts filled in; a line whose fact is unset says it will be confirmed."""
        return self.render_text(entry.answer)

    def render_brief(self, use: str | None) -> str | None:
        """The preparation brief for an intended use, facts filled in (plain text)."""
        brief = self.briefs.get(use or "other") or self.briefs.get("other")
        return self.render_text(brief) if brief else None

    def render_text(self, text: str) -> str:
        """Plain text with {fact} placeholders filled; a line whose fact is unset says it will be confirmed."""
        lines = []
        for line in text.strip().splitlines():
            keys = PLACEHOLDER.findall(line)
            unset = [k for k in keys if self.fact(k) is None]
            if unset:
                label = self.studio.facts[unset[0]].label if unset[0] in self.studio.facts else unset[0]
                lines.append(self.messages.photographer_will_confirm.format(label=label, photographer=self.photographer))
            else:
                lines.append(PLACEHOLDER.sub(lambda m: self.fact(m.group(1)) or "", line))
        return "\n".join(lines)


# libyaml's loader when PyYAML was built with it (its wheels are): the same documents, read several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """YAML to Python objects, safely (plain data only)."""
    return yaml.load(text, Loader=SAFE_LOADER)


def _read_yaml(path: Path) -> Any:
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContentError(f"{path}: file is missing") from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None


def _parse(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ContentError(f"{path}: {where}: {first['msg']}") from None


def load_content(root: Path | None = None) -> ContentPack:
    """Load and validate the pack from `root` (default: the one shipped with the package)."""
    root = (root or PACKAGED_PROMPTS).resolve()
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    entries = tuple(_parse(KnowledgeEntry, p) for p in sorted((root / "knowledge").glob("*.yaml")))
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ContentError(f"{root / 'knowledge'}: duplicate entry ids: {', '.join(duplicates)}")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    out_of_scope_path = root / "out_of_scope.yaml"
    return ContentPack(
        root=root,
        studio=_parse(Studio, root / "studio.yaml"),
        messages=_parse(Messages, root / "messages.yaml"),
        intake=_parse(IntakeVocab, root / "intake.yaml"),
        knowledge=entries,
        out_of_scope=_parse(OutOfScope, out_of_scope_path) if out_of_scope_path.exists() else OutOfScope(topics=[]),
        system=_parse(SystemPrompts, root / "system.yaml"),
        briefs=_parse(Briefs, root / "briefs.yaml").root,
        version=digest.hexdigest()[:12],
    )
