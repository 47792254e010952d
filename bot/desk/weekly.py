"""The weekly desk digest: the last 7 days' funnel (started → asked → confirmed → booked) and the unanswered questions
asked most, as text and, when matplotlib is installed (the `charts` extra), as a small PNG picture."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.cards import Desk, fit
from bot.desk.stats import read_period
from bot.engine.render import clip
from db.questions import top_open_questions

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Optional (the `charts` extra): without it the weekly digest is text only. Imported only when a picture is drawn,
# because importing matplotlib and numpy costs every bot process a second or more at start-up.
CHARTS = importlib.util.find_spec("matplotlib") is not None
WEEK = timedelta(days=7)
TOP_QUESTIONS = 5
CAPTION_LIMIT = 1024  # Telegram's limit on a photo's caption
_BLUE, _GREY = "#3b6ea5", "#9aa5b1"


@dataclass(frozen=True)
class WeeklyFigures:
    """The week's funnel counts, in funnel order, and its most asked open questions with how often."""

    started: int
    asked: int
    confirmed: int
    booked: int
    questions: list[tuple[str, int]]

    @property
    def steps(self) -> tuple[int, int, int, int]:
        """The four funnel counts, in funnel order."""
        return self.started, self.asked, self.confirmed, self.booked


async def read_weekly(session: AsyncSession, now: datetime) -> WeeklyFigures:
    """The last 7 days' funnel and the open questions asked most."""
    week = (await read_period(session, now - WEEK)).steps
    questions = await top_open_questions(session, TOP_QUESTIONS)
    return WeeklyFigures(week["conversations"], week["intakes"], week["leads"], week["booked"], questions)


def _labels(desk: Desk) -> list[str]:
    text = desk.text.weekly
    return [text.started, text.asked, text.confirmed, text.booked]


def weekly_text(desk: Desk, figures: WeeklyFigures) -> str:
    """The figures as the admin chats read them (the photo's caption, or its own message)."""
    text = desk.text.weekly
    lines = [desk.line(text.header)]
    lines += [desk.line(text.row, label=label, count=count) for label, count in zip(_labels(desk), figures.steps, strict=True)]
    lines += ["", desk.line(text.questions)]
    lines += [desk.line(text.question_line, count=count, text=clip(q, 120)) for q, count in figures.questions]
    if not figures.questions:
        lines.append(desk.line(text.no_questions))
    return fit(lines)


def funnel_png(desk: Desk, figures: WeeklyFigures) -> bytes | None:
    """The funnel (and the top questions) as a PNG; None when matplotlib is not installed."""
    if not CHARTS:
        return None
    from matplotlib.figure import Figure  # lazily: see CHARTS

    rows = 2 if figures.questions else 1
    figure = Figure(figsize=(6.4, 2.4 * rows + 0.4), dpi=100, layout="constrained")
    axes = figure.subplots(rows, 1, squeeze=False)[:, 0]
    _bars(axes[0], _labels(desk), list(figures.steps), _BLUE)
    axes[0].set_title(desk.text.weekly.title)
    if figures.questions:
        _bars(axes[1], [_plain(clip(q, 40)) for q, _ in figures.questions], [c for _, c in figures.questions], _GREY)
        axes[1].set_title(desk.text.weekly.questions_title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # a bare Figure renders with Agg: no display, no pyplot global state
    return buffer.getvalue()


def _bars(ax: Axes, labels: list[str], counts: list[int], colour: str) -> None:
    """Horizontal bars, first at the top, each with its count at its end."""
    positions = list(range(len(labels)))
    bars = ax.barh(positions, counts, height=0.6, color=colour)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.bar_label(bars, padding=3)
    ax.set_xlim(0, max([*counts, 1]) * 1.15)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def _plain(text: str) -> str:
    """A prospect's words as a label: a dollar sign would otherwise start mathtext."""
    return text.replace("$", r"\$")
