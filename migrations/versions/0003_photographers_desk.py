"""photographer's desk: lead events, desk messages, learned answers, funnel, reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The history of each lead's status, the admin-chat messages (cards, notices, prompts) a button or a reply
refers to, answers the photographer saved for everyone, intake starts for /stats, when an unfinished
intake was reminded, and which daily job already ran (so several workers send one digest).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('funnel_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('step', sa.Enum('intake_started', name='funnel_step', native_enum=False, length=16), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_events'))
    )
    with op.batch_alter_table('funnel_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funnel_events_created_at'), ['created_at'], unique=False)

    op.create_table('lead_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('old_status', sa.Enum('new', 'contacted', 'quoted', 'booked', 'lost', name='lead_status', native_enum=False, length=16), nullable=False),
    sa.Column('new_status', sa.Enum('new', 'contacted', 'quoted', 'booked', 'lost', name='lead_status', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_lead_events_lead_id_leads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_events'))
    )
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_events_lead_id'), ['lead_id'], unique=False)

    op.create_table('desk_messages',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('message_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.Enum('card', 'notice', 'reply_prompt', 'note_prompt', name='desk_message_kind', native_enum=False, length=16), nullable=False),
    sa.Column('prospect_chat_id', sa.BigInteger(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_desk_messages_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_desk_messages_question_id_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('chat_id', 'message_id', name=op.f('pk_desk_messages'))
    )
    with op.batch_alter_table('desk_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_messages_lead_id'), ['lead_id'], unique=False)

    op.create_table('learned_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_learned_answers_question_id_questions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learned_answers')),
    sa.UniqueConstraint('question_id', name=op.f('uq_learned_answers_question_id'))
    )

    op.create_table('job_runs',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_job_runs'))
    )

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')

    op.drop_table('job_runs')
    op.drop_table('learned_answers')
    with op.batch_alter_table('desk_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_messages_lead_id'))

    op.drop_table('desk_messages')
    with op.batch_alter_table('lead_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_events_lead_id'))

    op.drop_table('lead_events')
    with op.batch_alter_table('funnel_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funnel_events_created_at'))

    op.drop_table('funnel_events')
