"""web: server-side sessions, revocable calendar feeds, expiring link uses

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_session',
        sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('via', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('scope_area', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('scope_milestone', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('ended_why', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_web_session_person_id', 'web_session', ['person_id'])
    op.create_index('ix_web_session_expires_at', 'web_session', ['expires_at'])
    op.create_table(
        'web_feed',
        sa.Column('jti', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('area_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('jti'),
    )
    op.create_index('ix_web_feed_person_id', 'web_feed', ['person_id'])
    with op.batch_alter_table('web_token_use') as batch:
        batch.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index('ix_web_token_use_expires_at', ['expires_at'])


def downgrade() -> None:
    with op.batch_alter_table('web_token_use') as batch:
        batch.drop_index('ix_web_token_use_expires_at')
        batch.drop_column('expires_at')
    op.drop_index('ix_web_feed_person_id', table_name='web_feed')
    op.drop_table('web_feed')
    op.drop_index('ix_web_session_expires_at', table_name='web_session')
    op.drop_index('ix_web_session_person_id', table_name='web_session')
    op.drop_table('web_session')
