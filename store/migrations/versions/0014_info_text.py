"""info_text: the programme information's topics, per language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('info_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('topic', 'language', name='uq_info_text_topic_language')
    )
    with op.batch_alter_table('info_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_text_topic'), ['topic'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('info_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_text_topic'))
    op.drop_table('info_text')
