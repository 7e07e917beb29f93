"""The small demo seed also leaves the centre's activity: audit entries, cover access, reassignments and
data requests, made through the real services, the same for the same seed."""
from __future__ import annotations

from models import AuditEvent, Client, CoverGrant, DataRequest, Reassignment
from models.enums import AuditAction, DataRequestStatus
from services import clients, cover, data_requests, demo
from tests.conftest import count_rows


def _activity(db):
    return {
        "audit": sorted((e.action.value, e.client_code or "", e.entity or "") for e in db.session.query(AuditEvent)),
        "cover": sorted((g.client.code, g.worker.email, g.reason) for g in db.session.query(CoverGrant)),
        "reassign": sorted((r.client.code, r.reason.value) for r in db.session.query(Reassignment)),
        "requests": sorted((r.client_code, r.type.value, r.status.value) for r in db.session.query(DataRequest)),
    }


def _empty(db):
    from models import Base

    db.session.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def test_the_demo_seed_leaves_activity_to_look_at(client, db, login_as):
    result = demo.seed(db.session, clients=40, seed=7)
    db.session.commit()
    assert result["counts"]["cover_grants"] == count_rows(CoverGrant) == 2
    assert result["counts"]["reassignments"] == count_rows(Reassignment) == 2
    assert result["counts"]["data_requests"] == count_rows(DataRequest) == 3
    actions = {e.action for e in db.session.query(AuditEvent)}
    assert {AuditAction.LOGIN, AuditAction.VIEW, AuditAction.EXPORT, AuditAction.COVER, AuditAction.REASSIGN} <= actions
    assert result["counts"]["audit_events"] == count_rows(AuditEvent)
    # what the screens show: the open requests (one overdue), today's cover, a record's "who accessed"
    assert len(data_requests.open_requests(db.session)) == 2
    assert len(cover.active_grants(db.session)) == 2
    viewed = db.session.query(Client).filter_by(code=db.session.query(AuditEvent.client_code).filter(
        AuditEvent.action == AuditAction.EXPORT).scalar()).one()
    assert {e.action for e in clients.accesses(db.session, viewed)} >= {AuditAction.VIEW, AuditAction.EXPORT}
    assert all(r.status != DataRequestStatus.COMPLETED or r.completed_by_id for r in db.session.query(DataRequest))
    login_as("manager")
    page = client.get("/admin/").get_data(as_text=True)
    assert demo.COVER_REASONS[0] in page or demo.COVER_REASONS[1] in page


def test_the_demo_activity_is_the_same_for_the_same_seed(db):
    demo.seed(db.session, clients=25, seed=3)
    db.session.commit()
    first = _activity(db)
    _empty(db)
    demo.seed(db.session, clients=25, seed=3)
    db.session.commit()
    assert _activity(db) == first
