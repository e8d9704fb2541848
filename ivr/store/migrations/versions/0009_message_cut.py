"""messages: the length of a body stored cut at IVR_TEXT_MAX_CHARS

Revision ID: 0009_message_cut
Revises: 0008_retention
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_message_cut"
down_revision = "0008_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("body_chars", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("body_chars")
