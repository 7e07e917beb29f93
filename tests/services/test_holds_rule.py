"""The "holds this client" rule (services/access.py) is written once and asked in several forms: the
set of ids (the lists' scope), one client by index lookups (records, the case file), the per-request
answer, and the reports' set (the rule without cover). Every form agrees on every kind of client."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from models import Client, CoverGrant, Intake
from models.base import utcnow
from models.enums import ClientStatus, Role
from services import access
from tests import factories


def _cover(client, worker, **fields):
    grant = CoverGrant(client=client, worker=worker, reason="Zástup", granted_at=utcnow(),
                       expires_at=utcnow() + timedelta(hours=8), **fields)
    factories.db.session.add(grant)
    return grant


def test_every_form_of_the_holding_rule_agrees(app, db):
    me = factories.make_worker(roles=[Role.WORKER])
    colleague = factories.make_worker(roles=[Role.WORKER])
    own = factories.make_client(worker=me)
    covered = factories.make_client(worker=colleague)
    expired = factories.make_client(worker=colleague)
    revoked = factories.make_client(worker=colleague)
    intake_mine = factories.make_client(status=ClientStatus.INTERESTED, worker=None)
    intake_theirs_assigned = factories.make_client(worker=colleague)
    intake_other = factories.make_client(status=ClientStatus.INTERESTED, worker=None)
    others = factories.make_client(worker=colleague)
    _cover(covered, me)
    _cover(expired, me).expires_at = utcnow() - timedelta(minutes=1)
    _cover(revoked, me).revoked_at = utcnow()
    for client, worker in ((intake_mine, me), (intake_theirs_assigned, me), (intake_other, colleague)):
        db.session.add(Intake(client=client, worker=worker, held_on=utcnow().date(), issue="Pobyt"))
    db.session.commit()
    expected = {own.id: True, covered.id: True, expired.id: False, revoked.id: False, intake_mine.id: True,
                intake_theirs_assigned.id: False, intake_other.id: False, others.id: False}
    in_set = set(db.session.execute(sa.select(access.accessible_client_ids(me).subquery())).scalars())
    by_expression = dict(db.session.execute(sa.select(Client.id, access.holds_expression(Client.id, me))).all())
    reports = set(db.session.execute(sa.select(access.report_client_ids(me.id).subquery())).scalars())
    scoped = {c.id for c in access.scope(db.session.query(Client), Client, me) if access.can_read_confidential(db.session, me, c)}
    for client_id, holds in expected.items():
        assert (client_id in in_set) is holds, client_id
        assert bool(by_expression[client_id]) is holds, client_id
        assert access.holds_client(db.session, me, client_id) is holds, client_id
        assert (client_id in scoped) is holds, client_id
        assert (client_id in reports) is (holds and client_id != covered.id), client_id  # cover does not count


def test_the_social_workers_to_choose_from_come_through_the_policy(app, db):
    """Reception, workers, managers and admins choose among the active social workers; nobody else."""
    from services.users import social_workers_query

    worker = factories.make_worker(roles=[Role.WORKER], full_name="Alena Volná")
    factories.make_worker(roles=[Role.WORKER], full_name="Bývalá Kolegyně", active=False)
    db.session.commit()
    for roles in ([Role.RECEPTION], [Role.WORKER], [Role.MANAGER], [Role.ADMIN]):
        user = factories.make_worker(roles=roles)
        names = [w.full_name for w in access.choosable_workers(social_workers_query(db.session), user)]
        assert worker.full_name in names and "Bývalá Kolegyně" not in names
    nobody = factories.make_worker(roles=[])
    assert access.choosable_workers(social_workers_query(db.session), nobody).all() == []
