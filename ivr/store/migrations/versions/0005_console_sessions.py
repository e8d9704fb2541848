"""console sessions end at logout; audit subjects fit any call SID; failed logins per address

Revision ID: 0003_console
Revises: 0003_operator
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_console'
down_revision = '0003_operator'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=64),
                              type_=sa.String(length=100), existing_nullable=False)

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_ip_at', ['ip', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_ip_at')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=100),
                              type_=sa.String(length=64), existing_nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
