"""reminders, broadcasts, outbox claims, opt-outs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:04:04.474814
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('skipped', sa.Integer(), nullable=False, server_default='0'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_send_at'), ['send_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_status'), ['status'], unique=False)

    with op.batch_alter_table('channel_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unreachable_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notices_off_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminders_off_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('interview_booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default='notice'))
        batch_op.add_column(sa.Column('about', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('platform_message_id', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_due_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_status'))
        batch_op.create_index(batch_op.f('ix_outbox_about'), ['about'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_broadcast_id'), ['broadcast_id'], unique=False)
        batch_op.create_index('ix_outbox_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_foreign_key('fk_outbox_broadcast', 'broadcast', ['broadcast_id'], ['id'])

    with op.batch_alter_table('workshop_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('workshop_registration', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_broadcast', type_='foreignkey')
        batch_op.drop_index('ix_outbox_status_due')
        batch_op.drop_index(batch_op.f('ix_outbox_broadcast_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_about'))
        batch_op.create_index(batch_op.f('ix_outbox_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_due_at'), ['due_at'], unique=False)
        batch_op.drop_column('platform_message_id')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('broadcast_id')
        batch_op.drop_column('about')
        batch_op.drop_column('kind')

    with op.batch_alter_table('interview_booking', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')

    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('reminders_off_at')
        batch_op.drop_column('notices_off_at')

    with op.batch_alter_table('channel_identity', schema=None) as batch_op:
        batch_op.drop_column('last_inbound_at')
        batch_op.drop_column('unreachable_reason')
        batch_op.drop_column('unreachable_at')

    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_status'))
        batch_op.drop_index(batch_op.f('ix_broadcast_send_at'))

    op.drop_table('broadcast')
