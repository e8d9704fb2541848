"""meters retired by an accounts import

Revision ID: 0003_operator
Revises: 0003_calls
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_operator'
down_revision = '0003_calls'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('meters', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
