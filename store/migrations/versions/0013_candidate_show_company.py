"""candidate: whether the proposal names the company

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('vacancy_candidate') as batch_op:
        batch_op.add_column(sa.Column('show_company', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('vacancy_candidate') as batch_op:
        batch_op.drop_column('show_company')
