"""acknowledgements: "vi tar det" on an escalated thing, until a date

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'acknowledgement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('area_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('plan', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_acknowledgement_topic', 'acknowledgement', ['topic'])


def downgrade() -> None:
    op.drop_index('ix_acknowledgement_topic', table_name='acknowledgement')
    op.drop_table('acknowledgement')
