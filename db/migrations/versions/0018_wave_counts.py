"""a wave keeps no count of pupils beyond its published cells (the city's, the areas' and those
outside them together gave the few outside away), and says what its areas are compared with

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_wave') as batch:
        batch.add_column(sa.Column('comparison', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default='city'))
        for column in ('respondents', 'valid', 'outside_areas', 'area_respondents'):
            batch.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('survey_wave') as batch:
        for column in ('respondents', 'valid', 'outside_areas'):  # not kept: restored as unknown (0)
            batch.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('area_respondents', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.drop_column('comparison')
