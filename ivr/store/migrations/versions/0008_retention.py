"""retention: when a turn's audio was removed, and the lock row that keeps runs apart

Revision ID: 0008_retention
Revises: 0007_messages
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_retention"
down_revision = "0007_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("recording_removed_at", sa.DateTime(), nullable=True))
    locks = op.create_table(
        "locks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=True),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(locks, [{"name": "retention", "holder": None, "until": None}])


def downgrade() -> None:
    op.drop_table("locks")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("recording_removed_at")
