"""person_document: documents job seekers sent (the bytes live in a folder, named by their hash)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:15:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_document_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_document_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_document_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_person_document_registration_id'))
        batch_op.drop_index(batch_op.f('ix_person_document_contact_id'))

    op.drop_table('person_document')
