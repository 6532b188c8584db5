"""briefs: what each notice is about, the role told, the brief that carried it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('due', sa.Date(), nullable=True))
        batch.add_column(sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('brief_id', sa.Integer(), nullable=True))
        batch.create_index('ix_notification_recipient_status', ['recipient', 'status'])
        batch.create_index('ix_notification_brief_id', ['brief_id'])


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.drop_index('ix_notification_brief_id')
        batch.drop_index('ix_notification_recipient_status')
        batch.drop_column('brief_id')
        batch.drop_column('role')
        batch.drop_column('due')
        batch.drop_column('topic')
