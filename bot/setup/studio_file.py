"""Writing the photographer's answers into prompts/studio.yaml while keeping its comments and layout.

Each edit replaces only the characters of one scalar (found through PyYAML's node marks) and is kept only if the
file then loads to exactly the intended data; otherwise the file is dumped whole (comments lost, data intact).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content import safe_load

FactFields = dict[str, str | None]  # "value" and/or "example" -> new text (None writes null)


@dataclass(frozen=True)
class FactState:
    """A fact's value and example as the file holds them."""

    value: str | None
    example: str | None


def read_facts(path: Path) -> dict[str, FactState]:
    """Every fact of a studio.yaml, by key."""
    data = safe_load(path.read_text(encoding="utf-8")) or {}
    facts = data.get("facts") or {}
    return {key: FactState(fact.get("value"), fact.get("example")) for key, fact in facts.items() if isinstance(fact, dict)}


def write_fact(path: Path, key: str, fields: FactFields) -> bool:
    """Set fields of one fact in place; True when comments and layout were kept, False when the file was re-dumped."""
    text = path.read_text(encoding="utf-8")
    expected = copy.deepcopy(safe_load(text))
    expected["facts"][key].update(fields)
    for style in ("natural", "quoted"):
        edited = _edited(text, key, fields, style)
        if edited is not None and safe_load(edited) == expected:
            path.write_text(edited, encoding="utf-8")
            return True
    path.write_text(yaml.safe_dump(expected, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return False


def _edited(text: str, key: str, fields: FactFields, style: str) -> str | None:
    """The text with each field's scalar replaced, or None when a field is not there to replace."""
    fact = _child(_child(yaml.compose(text, Loader=yaml.SafeLoader), "facts"), key)
    if not isinstance(fact, yaml.MappingNode):
        return None
    spans = []
    for field, value in fields.items():
        pair = next(((k, v) for k, v in fact.value if isinstance(k, yaml.ScalarNode) and k.value == field), None)
        if pair is None:
            return None
        name, node = pair
        indent = " " * (name.start_mark.column + 2)
        spans.append((node.start_mark.index, node.end_mark.index, _render(value, fact.flow_style, indent, style)))
    for start, end, rendered in sorted(spans, reverse=True):
        old = text[start:end]
        text = text[:start] + rendered + old[len(old.rstrip()) :] + text[end:]  # a block scalar's line breaks stay
    return text


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _render(value: str | None, flow: bool, indent: str, style: str) -> str:
    if value is None:
        return "null"
    if style == "natural" and "\n" in value and not flow:
        return "|-\n" + "\n".join(indent + line if line else "" for line in value.split("\n"))
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar
