"""the operator inbox: conversations, messages, canned replies

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 17:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _text(length):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table('inbox_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('channel', _text(16), nullable=False),
    sa.Column('language', _text(8), nullable=False),
    sa.Column('status', _text(16), nullable=False),
    sa.Column('assigned_to', _text(80), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_person_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_operator_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inbox_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_conversation_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbox_conversation_status'), ['status'], unique=False)

    op.create_table('inbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('kind', _text(16), nullable=False),
    sa.Column('text', _text(4000), nullable=False),
    sa.Column('author', _text(80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['inbox_conversation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_message_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('inbox_canned_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', _text(8), nullable=False),
    sa.Column('title', _text(80), nullable=False),
    sa.Column('text', _text(2000), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inbox_canned_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_canned_reply_language'), ['language'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_canned_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_canned_reply_language'))
    op.drop_table('inbox_canned_reply')
    with op.batch_alter_table('inbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_message_conversation_id'))
    op.drop_table('inbox_message')
    with op.batch_alter_table('inbox_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_conversation_status'))
        batch_op.drop_index(batch_op.f('ix_inbox_conversation_contact_id'))
    op.drop_table('inbox_conversation')
