"""delivery: per-claim leases, failures as the server said them, a history per message, one run at a time

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('claim_holder', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('in_flight_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('failure', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('failure_code', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('failing_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE notification SET lease_until = claimed_at WHERE status = 'sending'")
    op.execute("UPDATE notification SET failure = 'temporary', failing_since = created_at "
               "WHERE status = 'pending' AND attempts > 0")
    op.create_table(
        'delivery_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('what', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_delivery_event_notification_id', 'delivery_event', ['notification_id'])
    op.create_table(
        'delivery_lock',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('delivery_lock')
    op.drop_index('ix_delivery_event_notification_id', table_name='delivery_event')
    op.drop_table('delivery_event')
    with op.batch_alter_table('notification') as batch:
        for column in ('failing_since', 'failure_code', 'failure', 'in_flight_at', 'claim_holder', 'lease_until'):
            batch.drop_column(column)
