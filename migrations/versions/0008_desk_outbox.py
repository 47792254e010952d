"""desk outbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

A new lead's card is owed to the admin chats from the moment the lead is saved: the debt is written in the lead's
own transaction and paid by a job that retries until the card exists, so a crash between the commit and the send
no longer loses the notification. The rows go with their lead (a /forget deletes them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Enum("lead_card", name="outbox_kind", native_enum=False, length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_desk_outbox_lead_id_leads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_outbox")),
        sa.UniqueConstraint("lead_id", name=op.f("uq_desk_outbox_lead_id")),
    )
    op.create_index("ix_desk_outbox_delivered_at_due_at", "desk_outbox", ["delivered_at", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_desk_outbox_delivered_at_due_at", table_name="desk_outbox")
    op.drop_table("desk_outbox")
