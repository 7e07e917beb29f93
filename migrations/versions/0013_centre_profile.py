"""centre profile and public office address: the contact data printed on the client's documents

One row (id 1) of the centre's name, address, phone, email and web, edited by an admin under
Settings → Centre profile and printed on the roadmap, the appointment card, the rules for clients
and the record export; and the address of a public office, printed on the appointment card of an
accompaniment. Nothing is filled in: `flask demo seed` fills the demo centre, an admin the real one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:44:01.707065

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('centre_profile',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('web', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_centre_profile_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_profile'))
    )
    with op.batch_alter_table('public_office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('public_office', schema=None) as batch_op:
        batch_op.drop_column('address')

    op.drop_table('centre_profile')
