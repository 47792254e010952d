"""`headshot-bot knowledge check`: everything that can be wrong with a content pack, found before a prospect does."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import PLACEHOLDER, TELEGRAM_LIMIT, ContentPack
from bot.knowledge import PackAnswerer

ANSWER_SOFT_LIMIT = 800


@dataclass(frozen=True)
class Finding:
    """One problem (an error fails the check, a warning does not)."""

    level: str  # "error" or "warning"
    where: str
    message: str


def check_pack(content: ContentPack, answerer: PackAnswerer | None = None) -> list[Finding]:
    """Every finding about the pack, errors first."""
    answerer = answerer or PackAnswerer(content)
    findings = _placeholders(content) + _sizes(content, answerer) + _routing(content, answerer)
    if keys := content.studio.example_facts:
        findings.append(Finding("warning", "studio.yaml", f"facts still at their example (prospects are told you will confirm them): {', '.join(keys)}"))
    findings += _not_offered(content)
    return sorted(findings, key=lambda f: f.level != "error")


def _not_offered(content: ContentPack) -> list[Finding]:
    inquiries = {t.id for t in content.out_of_scope.topics if t.kind == "inquiry"}
    return [
        Finding("error", "studio.yaml", f"not_offered names {key!r}, which is not an inquiry topic in out_of_scope.yaml")
        for key in content.studio.not_offered
        if key not in inquiries
    ]


def _placeholders(content: ContentPack) -> list[Finding]:
    texts = {f"knowledge/{e.id}.yaml": e.answer for e in content.knowledge}
    texts |= {f"briefs.yaml:{use}": text for use, text in content.briefs.items()}
    findings = []
    for where, text in texts.items():
        for key in PLACEHOLDER.findall(text):
            if key not in content.studio.facts:
                findings.append(Finding("error", where, f"placeholder {{{key}}} is not a fact in studio.yaml"))
    return findings


def _sizes(content: ContentPack, answerer: PackAnswerer) -> list[Finding]:
    findings = []
    for entry in content.knowledge:
        size = len(answerer.render(entry))
        if size > TELEGRAM_LIMIT:
            findings.append(Finding("error", f"knowledge/{entry.id}.yaml", f"answer is {size} characters; a message holds {TELEGRAM_LIMIT}"))
        elif size > ANSWER_SOFT_LIMIT:
            findings.append(Finding("warning", f"knowledge/{entry.id}.yaml", f"answer is {size} characters; keep it under {ANSWER_SOFT_LIMIT}"))
    return findings


def _routing(content: ContentPack, answerer: PackAnswerer) -> list[Finding]:
    findings = []
    for entry in content.knowledge:
        for question in entry.questions:
            found = answerer.retriever.match(question)
            if found.topic != entry.id or found.out_of_scope:
                landed = found.topic or "no entry"
                findings.append(Finding("error", f"knowledge/{entry.id}.yaml", f"example question routes to {landed}: {question!r}"))
    for topic in content.out_of_scope.topics:
        for example in topic.examples:
            found = answerer.retriever.match(example)
            if found.topic is not None and not found.out_of_scope:
                findings.append(Finding("error", "out_of_scope.yaml", f"{topic.id} example routes to entry {found.topic}: {example!r}"))
    return findings
