"""Demo data at scale: bulk inserts that read back like ORM-made rows, on both engines."""
import sqlalchemy as sa

from models import Agreement, Appointment, Client, RoadmapTask, Visit
from models.enums import AppointmentStatus, ClientStatus
from services import clients as client_service
from services import demo_bulk
from tests.conftest import count_rows


def test_bulk_seed_reads_back_and_leaves_ids_and_codes_usable(db):
    result = demo_bulk.seed_bulk(db.session, clients=300, seed=3)
    db.session.commit()
    counts = result["counts"]
    assert counts["clients"] == 300 == count_rows(Client)
    assert counts["appointments"] == count_rows(Appointment) > 1000
    assert count_rows(Visit, Visit.client_id.is_(None)) == 30
    assert count_rows(RoadmapTask) > count_rows(Agreement) > 250
    appointment = db.session.query(Appointment).filter(Appointment.status == AppointmentStatus.ATTENDED).first()
    assert appointment.starts_at.tzinfo is not None and appointment.ends_at > appointment.starts_at
    assert isinstance(appointment.status, AppointmentStatus) and appointment.notes
    person = db.session.query(Client).filter(Client.status == ClientStatus.CLIENT).first()
    assert person.languages and person.last_contact_at is not None and person.worker is not None
    # heavy tail: somebody has far more appointments than most
    busiest = db.session.execute(
        sa.select(sa.func.count(Appointment.id)).group_by(Appointment.client_id).order_by(sa.func.count(Appointment.id).desc()).limit(1)
    ).scalar()
    assert busiest > 25
    # ids and codes continue where the bulk insert stopped (sequences on PostgreSQL, counters for codes)
    new = client_service.create_client(db.session, alias="Nový")
    assert new.id > 300 and new.code not in {c for (c,) in db.session.query(Client.code).filter(Client.id != new.id)}
