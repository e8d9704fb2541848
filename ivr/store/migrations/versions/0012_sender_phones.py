"""sender_phones: the phone a sender shared with us, per channel and sender key (Telegram's contact)

The channel itself stays a free String(16) everywhere, with no CHECK on its names, so that a new
channel needs no migration.

Revision ID: 0012_sender_phones
Revises: 0011_uploads
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_sender_phones"
down_revision = "0011_uploads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sender_phones",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_key", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("shared_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "sender_key"),
    )
    op.create_index("ix_sender_phones_shared_at", "sender_phones", ["shared_at"])


def downgrade() -> None:
    op.drop_index("ix_sender_phones_shared_at", table_name="sender_phones")
    op.drop_table("sender_phones")
