"""a programme in a handlingsplan: who runs it, from when to when, and its budget

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan_programme') as batch:
        batch.add_column(sa.Column('responsible', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('budget_ore', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('plan_programme') as batch:
        for column in ('budget_ore', 'ends_on', 'starts_on', 'responsible'):
            batch.drop_column(column)
