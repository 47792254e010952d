"""lead insights

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Each new lead's suggested follow-up (a two-line summary, a priority with its reason, a draft message, and
whether the model or the template wrote it), kept so Send draft works after a restart; when and by whom the
draft was sent, so a second tap sends nothing. The rows go with their lead.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lead_insights",
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("priority", sa.Enum("high", "normal", "low", name="insight_priority", native_enum=False, length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("source", sa.Enum("llm", "template", name="insight_source", native_enum=False, length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=128), nullable=True),
        sa.Column("sent_edited", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_lead_insights_lead_id_leads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_insights")),
    )


def downgrade() -> None:
    op.drop_table("lead_insights")
