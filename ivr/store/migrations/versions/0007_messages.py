"""messages: readings by SMS, WhatsApp and e-mail, and the reply each got

Revision ID: 0007_messages
Revises: 0006_stream
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_messages"
down_revision = "0006_stream"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("sender_key", sa.String(length=320), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "external_id", name="uq_messages_channel_external_id"),
    )
    op.create_index("ix_messages_sender_key", "messages", ["sender_key"])
    op.create_index("ix_messages_status", "messages", ["status"])
    op.create_index("ix_messages_received_at", "messages", ["received_at"])
    with op.batch_alter_table("readings") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_readings_message_id_messages", "messages", ["message_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("readings") as batch:
        batch.drop_constraint("fk_readings_message_id_messages", type_="foreignkey")
        batch.drop_column("message_id")
    op.drop_index("ix_messages_received_at", table_name="messages")
    op.drop_index("ix_messages_status", table_name="messages")
    op.drop_index("ix_messages_sender_key", table_name="messages")
    op.drop_table("messages")
