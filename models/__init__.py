"""All models; importing this package registers every table (Alembic autogenerate needs it)."""
from models.agreement import Agreement, Intake, RoadmapTask
from models.appointment import Appointment
from models.audit import AuditEvent
from models.base import Base
from models.centre import CentreProfile
from models.client import Client, ClientCodeCounter, Reassignment
from models.codelists import PublicOffice, Topic
from models.cover import CoverGrant
from models.data_request import DataRequest
from models.erasure import ErasureState
from models.schedule import WalkInHours, WorkingHours
from models.security import LoginFailure, RecoveryCode
from models.visit import Visit, visit_topic
from models.worker import Worker

__all__ = [
    "Agreement", "Appointment", "AuditEvent", "Base", "CentreProfile", "Client", "ClientCodeCounter", "CoverGrant", "DataRequest", "ErasureState", "Intake",
    "LoginFailure", "PublicOffice", "Reassignment", "RecoveryCode", "RoadmapTask", "Topic", "Visit", "WalkInHours", "Worker", "WorkingHours", "visit_topic",
]
