"""calls: failed webhooks in a row, why a call ended, the account snapshot

Revision ID: 0003_calls
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_calls"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("errors", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("end_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("account_snapshot", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("account_snapshot")
        batch.drop_column("end_reason")
        batch.drop_column("errors")
