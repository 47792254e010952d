"""The pack's bot lines: every line the model requires is one the bot says, and a line it dropped does not break a
studio's older messages.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.content import PACKAGED_PROMPTS, RETIRED_MESSAGES, Messages, load_content

ROOT = Path(__file__).resolve().parent.parent


def test_every_line_of_messages_yaml_is_used_by_the_bot() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bot").rglob("*.py")))
    definition = re.compile(r"^    (\w+): ", re.M)
    used = re.sub(definition, "", sources)  # the Messages model's own field lines do not count as a use
    unused = [key for key in Messages.model_fields if not re.search(rf"\b{key}\b", used)]
    assert unused == []


def test_a_messages_yaml_still_holding_a_retired_line_loads(tmp_path: Path) -> None:
    pack = tmp_path / "prompts"
    shutil.copytree(PACKAGED_PROMPTS, pack)
    messages = pack / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8") + "".join(f"{key}: an old line\n" for key in RETIRED_MESSAGES), encoding="utf-8")
    assert RETIRED_MESSAGES and not RETIRED_MESSAGES & set(Messages.model_fields)
    assert load_content(pack).messages == load_content(PACKAGED_PROMPTS).messages
