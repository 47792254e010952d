"""update journal and chat status

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Every applied update with the replies it produced until they are delivered (a redelivered update changes
nothing and sends nothing twice; undelivered replies are retried in order), and whether a chat blocked the bot.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processed_updates_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index("ix_processed_updates_sent_at_created_at", ["sent_at", "created_at"], unique=False)
    op.create_table(
        "chat_status",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_status")),
    )


def downgrade() -> None:
    op.drop_table("chat_status")
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_processed_updates_sent_at_created_at")
        batch_op.drop_index(batch_op.f("ix_processed_updates_chat_id"))
    op.drop_table("processed_updates")
