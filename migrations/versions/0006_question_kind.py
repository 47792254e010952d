"""question kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

A question for the photographer is either one the pack could not answer or an inquiry for other photography
(events, products, family portraits...), which is possible business rather than a gap in the pack. Existing rows
are questions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum("question", "inquiry", name="question_kind", native_enum=False, length=16),
                server_default="question",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("kind")
