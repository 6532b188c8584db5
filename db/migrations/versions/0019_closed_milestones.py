"""a milestone the coordinator closes as no longer relevant keeps when, by whom and why

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('milestone_instance') as batch:
        batch.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('closed_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('milestone_instance') as batch:
        for column in ('closed_reason', 'closed_by', 'closed_on'):
            batch.drop_column(column)
