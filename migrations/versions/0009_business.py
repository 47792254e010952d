"""business connections

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10

Telegram Business: the photographer's connected account (who, whether the bot may reply, whether it is on), and
each prospect's chat with that account, where the photographer can take over or the desk pause the bot.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "business_connections",
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("can_reply", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", name=op.f("pk_business_connections")),
    )
    op.create_table(
        "business_chats",
        sa.Column("chat_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("quiet_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_key", name=op.f("pk_business_chats")),
    )
    op.create_index(op.f("ix_business_chats_chat_id"), "business_chats", ["chat_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_business_chats_chat_id"), table_name="business_chats")
    op.drop_table("business_chats")
    op.drop_table("business_connections")
