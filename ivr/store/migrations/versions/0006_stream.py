"""calls remember their media stream: starting, live or lost (IVR_LISTEN=stream)

Revision ID: 0006_stream
Revises: 0003_console
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_stream'
down_revision = '0003_console'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listen', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('listen')
