"""drop channel_seen_message, no longer written

WhatsApp's repeated deliveries are recognised by the step's update key (services.conversation,
processed_update).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_seen_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_seen_message_seen_at'))
    op.drop_table('channel_seen_message')


def downgrade() -> None:
    op.create_table('channel_seen_message',
                    sa.Column('key', sa.String(length=128), nullable=False),
                    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('key'))
    with op.batch_alter_table('channel_seen_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_seen_message_seen_at'), ['seen_at'], unique=False)
