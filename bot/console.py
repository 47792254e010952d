"""`headshot-bot chat`: the same conversation in a terminal, through the same engine and database."""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

try:  # importing readline gives input() line editing (arrow keys) and history, where the platform has it
    import readline
except ImportError:  # pragma: no cover - Windows without pyreadline
    readline = None  # type: ignore[assignment]

from bot.conversation import Outcome
from bot.engine.events import ButtonPress, Command, ContactShared, Event, Incoming, Reply, Sender, Text
from bot.engine.parsing import find_phone
from bot.engine.render import my_data_summary
from bot.services import Services

_TAG_RE = re.compile(r"<[^>]+>")
CONSOLE_CHAT_ID = 1


def plain(text: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(_TAG_RE.sub("", text))


class Console:
    """Reads lines, shows replies; a number picks a button, /contact PHONE plays the share-contact button."""

    def __init__(self, services: Services, sender: Sender, chat_id: int = CONSOLE_CHAT_ID, out: TextIO = sys.stdout) -> None:
        self.services = services
        self.sender = sender
        self.chat_id = chat_id
        self.out = out
        self.buttons: list[ButtonPress] = []

    def event_for(self, line: str) -> Event:
        """The engine event a typed line stands for."""
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return self.buttons[int(line) - 1]
        if line.startswith("/contact"):
            return ContactShared(find_phone(line) or line.removeprefix("/contact").strip(), True)
        if line.startswith("/"):
            word, _, args = line.partition(" ")
            return Command(word[1:], args.strip())
        return Text(line)

    async def send(self, line: str) -> Outcome:
        """Handle one typed line and print the replies."""
        incoming = Incoming(self.chat_id, self.sender, self.event_for(line), datetime.now(UTC))
        outcome = await self.services.conversations.handle(incoming)
        if outcome.notice:
            self.out.write(f"  ({plain(outcome.notice)})\n")
        if outcome.replies:
            self.buttons = []
        for reply in outcome.replies:
            if self.services.phrasing is not None and reply.question:
                reply = Reply(await self.services.phrasing.finish(self.chat_id, reply), reply.buttons)
            self.show(reply, outcome.version)
        if outcome.lead is not None:
            self.out.write(f"\n[photographer's notification]\n{plain(outcome.lead.card)}\n")
        if outcome.my_data is not None:
            self.out.write("\nbot> " + plain(my_data_summary(outcome.my_data, self.services.content)).replace("\n", "\n     ") + "\n")
            self.out.write(json.dumps(outcome.my_data, indent=2, ensure_ascii=False) + "\n")
        for notice in outcome.admin_notices:
            self.out.write(f"\n[photographer's notification]\n{plain(notice.rendered)}\n")
        return outcome

    def show(self, reply: Reply, version: int) -> None:
        """Print one reply with numbered buttons."""
        self.out.write("\nbot> " + plain(reply.text).replace("\n", "\n     ") + "\n")
        for row in reply.buttons:
            labels = []
            for button in row:
                self.buttons.append(ButtonPress(button.action, button.value, version))
                labels.append(f"[{len(self.buttons)}] {button.label}")
            self.out.write("     " + "   ".join(labels) + "\n")
        if reply.request_contact:
            self.out.write(f"     ({reply.request_contact}: type /contact +1 604 555 0123)\n")

    async def loop(self, read: Callable[[str], str] = input) -> None:
        """Talk until end of input or /quit."""
        self.out.write("Type as a prospect would. Numbers pick buttons; /quit leaves.\n")
        await self.send("/start")
        while True:
            try:
                line = (await asyncio.to_thread(read, "\nyou> ")).strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if line:
                await self.send(line)
