"""calls: whether a transfer dialled an operator, recorded as data instead of read from the TwiML

Revision ID: 0010_operator_dialled
Revises: 0009_message_cut
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_operator_dialled"
down_revision = "0009_message_cut"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("operator_dialled", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Calls taken before this revision keep the meaning the console gave them: the reply they were
    # last sent dialled an operator.
    calls = sa.table("calls", sa.column("outcome", sa.String), sa.column("last_twiml", sa.Text),
                     sa.column("operator_dialled", sa.Boolean))  # fmt: skip
    op.execute(calls.update().where(calls.c.outcome == "transferred", calls.c.last_twiml.contains("<Dial"))
               .values(operator_dialled=True))  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("operator_dialled")
