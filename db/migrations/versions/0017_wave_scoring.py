"""a wave's answers per area and what it was scored with (survey.yml's hash and the cut points);
a suggestion's city figures empty where the city's figure is not published

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_wave') as batch:
        batch.add_column(sa.Column('area_respondents', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('scored_with', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('survey_suggestion') as batch:
        batch.alter_column('city_share', existing_type=sa.Float(), nullable=True)
        batch.alter_column('z_city', existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('survey_suggestion') as batch:
        batch.alter_column('z_city', existing_type=sa.Float(), nullable=False)
        batch.alter_column('city_share', existing_type=sa.Float(), nullable=False)
    with op.batch_alter_table('survey_wave') as batch:
        for column in ('scored_with', 'area_respondents'):
            batch.drop_column(column)
