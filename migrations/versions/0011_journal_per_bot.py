"""the update journal keyed by bot and update id

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

Update ids are one bot's numbering: a studio that re-creates its bot with @BotFather (a new bot id), or a second bot
on the same database, gets update ids the old one used, and the journal took them for redeliveries and answered
nothing. Rows journaled before this revision get bot id 0 and are adopted by the bot at its next start
(db.journal.adopt_journal): only one bot wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bot_id", sa.BigInteger(), server_default="0", autoincrement=False, nullable=False))
        batch_op.drop_constraint("pk_processed_updates", type_="primary")
        batch_op.create_primary_key("pk_processed_updates", ["bot_id", "update_id"])


def downgrade() -> None:
    # Two bots' rows with one update id cannot both stay under a key of the update id alone: the newer is kept.
    op.execute(
        "DELETE FROM processed_updates WHERE EXISTS (SELECT 1 FROM processed_updates AS newer "
        "WHERE newer.update_id = processed_updates.update_id AND newer.created_at > processed_updates.created_at)"
    )
    with op.batch_alter_table("processed_updates", schema=None) as batch_op:
        batch_op.drop_constraint("pk_processed_updates", type_="primary")
        batch_op.create_primary_key("pk_processed_updates", ["update_id"])
        batch_op.drop_column("bot_id")
