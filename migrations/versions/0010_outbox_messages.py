"""outbox for every desk message owed; cached answers know their asker

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

The desk outbox owes more than new leads' cards: a /forget owes the admin chats an edit of every message about the
prospect (to "deleted at the prospect's request"), so an item is now about an admin chat's message (chat_id,
message_id) or a lead, with a small JSON payload, and a lead may have several items. A cached model answer keeps the
chat whose question it was phrased for, so /forget can delete the answers built from that prospect's words.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("desk_outbox") as batch:
        batch.drop_constraint("uq_desk_outbox_lead_id", type_="unique")
        batch.alter_column("lead_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_desk_outbox_lead_id"), ["lead_id"], unique=False)
    with op.batch_alter_table("answer_cache") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch.create_index(batch.f("ix_answer_cache_chat_id"), ["chat_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_cache") as batch:
        batch.drop_index(batch.f("ix_answer_cache_chat_id"))
        batch.drop_column("chat_id")
    op.execute("DELETE FROM desk_outbox WHERE lead_id IS NULL OR kind != 'lead_card'")
    with op.batch_alter_table("desk_outbox") as batch:
        batch.drop_index(batch.f("ix_desk_outbox_lead_id"))
        batch.drop_column("payload")
        batch.drop_column("message_id")
        batch.drop_column("chat_id")
        batch.alter_column("lead_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_desk_outbox_lead_id", ["lead_id"])
