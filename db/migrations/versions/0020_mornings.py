"""each working day's morning that ran to its end, and the working days before it that had none

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('morning',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('completed_at', sa.DateTime(), nullable=False),
                    sa.Column('missed_from', sa.Date(), nullable=True),
                    sa.Column('missed_days', sa.Integer(), nullable=False, server_default='0'),
                    sa.PrimaryKeyConstraint('day'))


def downgrade() -> None:
    op.drop_table('morning')
