"""a long report's chunks printed by other workers, found by the run that joins them

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'printed_chunk',
        sa.Column('html_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('pdf_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('printed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('html_sha256'),
    )


def downgrade() -> None:
    op.drop_table('printed_chunk')
