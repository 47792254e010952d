"""Questions in the terminal for `init`: each one answerable by a flag instead, and nothing replaced unasked."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TextIO

Validator = Callable[[str], str | None]  # a problem to show, or None when the answer is fine
TRIES = 3


class Prompter:
    """Asks and confirms; with `assume_yes` (--yes) it asks nothing and every confirmation is yes."""

    def __init__(self, assume_yes: bool, out: TextIO | None = None) -> None:
        self.assume_yes = assume_yes
        self._out = out

    @property
    def out(self) -> TextIO:
        """Where questions and lines go (standard output as it is when written to, unless given)."""
        return self._out or sys.stdout

    def say(self, line: str) -> None:
        """One line of output."""
        print(line, file=self.out)

    def ask(self, question: str, *, secret: bool = False, check: Validator | None = None) -> str:
        """An answer ("" for none: Enter, end of input, or no valid answer after a few tries)."""
        for _ in range(TRIES):
            answer = self._read(question, secret).strip()
            problem = check(answer) if answer and check else None
            if problem is None:
                return answer
            self.say(f"  {problem}")
        return ""

    def ask_lines(self, question: str) -> str:
        """Several lines, ended by an empty one (the answer's lines joined by newlines)."""
        self.say(question)
        lines = []
        while line := self._read("  > ", secret=False).strip():
            lines.append(line)
        return "\n".join(lines)

    def confirm(self, question: str) -> bool:
        """Yes or no, no by default; always yes with --yes."""
        if self.assume_yes:
            return True
        return self._read(f"{question} [y/N] ", secret=False).strip().lower() in ("y", "yes")

    def _read(self, prompt: str, secret: bool) -> str:
        try:
            if secret and sys.stdin.isatty():
                return getpass.getpass(prompt)
            print(prompt, end="", file=self.out, flush=True)
            line = sys.stdin.readline()
        except EOFError:
            self.say("")
            return ""
        if not line:  # end of input: every further question takes its default
            self.say("")
        return line.rstrip("\n")
