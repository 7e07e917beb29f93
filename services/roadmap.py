"""The printed roadmap: what the client takes home about their case.

The current agreement (the active one, else the latest) as :mod:`services.access` lets the person
printing read it: its goal, its open tasks by who does them, the tasks done, and the next planned
appointment. The document itself is rendered in the client's language by
:mod:`services.client_documents` (``templates/client_docs/roadmap.html``).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import Client
from models.enums import TaskStatus
from services import access, casefile


def printed(session: Session, client: Client, user: Any) -> dict | None:
    """What the printed roadmap shows, or None when ``user`` may see no agreement of this client."""
    agreement = casefile.current_agreement(session, client, user)
    if agreement is None or not access.can_read_confidential(session, user, agreement):
        return None
    groups = casefile.roadmap(agreement)
    upcoming = casefile.upcoming(session, client, user, limit=1)
    return {
        "client": client, "agreement": agreement, "worker": client.worker or agreement.worker,
        "open": {who: [item["task"] for item in items if item["task"].status == TaskStatus.OPEN]
                 for who, items in groups.items()},
        "done": [t for t in agreement.tasks if t.status == TaskStatus.DONE],
        "next": upcoming[0] if upcoming else None,
    }
