"""The desk's people in the database: assistants and the one-time invitations that add them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import rowcount, table_of
from db.models import DeskAssistant, DeskInvitation


async def is_assistant(session: AsyncSession, user_id: int) -> bool:
    """Whether this Telegram user redeemed an invitation and has not been revoked since."""
    row = await session.get(DeskAssistant, user_id)
    return row is not None and row.revoked_at is None


async def create_invitation(session: AsyncSession, code_hash: str, created_by: str, expires_at: datetime) -> DeskInvitation:
    """Keep a new invitation (its code's hash only)."""
    row = DeskInvitation(code_hash=code_hash, created_by=created_by, expires_at=expires_at)
    session.add(row)
    await session.flush()
    return row


async def redeem_invitation(session: AsyncSession, code_hash: str, user_id: int, now: datetime) -> DeskInvitation | None:
    """Use up an unexpired, unused invitation for this user in one statement (two redeemers cannot both win)."""
    table = table_of(DeskInvitation)
    stmt = (
        update(DeskInvitation)
        .where(table.c.code_hash == code_hash, table.c.redeemed_at.is_(None), table.c.expires_at > now)
        .values(redeemed_at=now, redeemed_by=user_id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(await session.execute(stmt)) != 1:
        return None
    return await session.get(DeskInvitation, code_hash, populate_existing=True)


async def find_invitation(session: AsyncSession, code_hash: str) -> DeskInvitation | None:
    """An invitation by its code's hash."""
    return await session.get(DeskInvitation, code_hash)


async def add_assistant(session: AsyncSession, user_id: int, name: str, invited_by: str, now: datetime) -> DeskAssistant:
    """Put a person on the desk (again, if they were revoked)."""
    row = await session.get(DeskAssistant, user_id)
    if row is None:
        row = DeskAssistant(user_id=user_id, name=name, invited_by=invited_by, joined_at=now)
        session.add(row)
    else:
        row.name, row.invited_by, row.joined_at, row.revoked_at, row.revoked_by = name, invited_by, now, None, None
    await session.flush()
    return row


async def revoke_assistant(session: AsyncSession, user_id: int, revoked_by: str, now: datetime) -> DeskAssistant | None:
    """Take a person off the desk; None when they are not an assistant now."""
    row = await session.get(DeskAssistant, user_id)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at, row.revoked_by = now, revoked_by
    await session.flush()
    return row


async def list_assistants(session: AsyncSession) -> list[DeskAssistant]:
    """Every assistant, current and revoked, in the order they joined."""
    return list((await session.execute(select(DeskAssistant).order_by(DeskAssistant.joined_at))).scalars())
