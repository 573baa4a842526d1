"""back office: operator accounts, their sessions, login throttling, the audit log, secrets

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 13:14:36.032626
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('operator_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('row_id', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('ip', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('office_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_office_audit_operator_id'), ['operator_id'], unique=False)

    op.create_table('office_login_throttle',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('office_operator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('office_secret',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('office_session',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['office_operator.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('office_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_office_session_operator_id'), ['operator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('office_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_session_operator_id'))

    op.drop_table('office_session')
    op.drop_table('office_secret')
    op.drop_table('office_operator')
    op.drop_table('office_login_throttle')
    with op.batch_alter_table('office_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_office_audit_operator_id'))
        batch_op.drop_index(batch_op.f('ix_office_audit_at'))

    op.drop_table('office_audit')
