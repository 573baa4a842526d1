"""outbox pace: the send times a channel has handed out, shared by bot processes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_pace',
    sa.Column('next_at', sa.Float(), server_default='0', nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.PrimaryKeyConstraint('channel')
    )


def downgrade() -> None:
    op.drop_table('outbox_pace')
