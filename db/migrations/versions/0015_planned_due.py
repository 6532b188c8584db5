"""each milestone instance keeps the due date it was planned with beside the current one

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('milestone_instance') as batch:
        batch.add_column(sa.Column('planned_due_date', sa.Date(), nullable=True))
    # what was stored is the best plan known: a moved due date is only measured from here on
    op.execute("UPDATE milestone_instance SET planned_due_date = due_date")


def downgrade() -> None:
    with op.batch_alter_table('milestone_instance') as batch:
        batch.drop_column('planned_due_date')
