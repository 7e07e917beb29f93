"""Where erased text may still linger: the last erasure, and the last compaction that removed its traces."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ErasureState(Base):
    """One row (id 1). On PostgreSQL an anonymised or deleted value stays in the table and index files
    (as an old row version) until they are rewritten: ``flask privacy compact`` does it, and the
    retention purge runs it when something was erased since the last compaction
    (services/privacy.py: :func:`~services.privacy.compact`)."""

    __tablename__ = "erasure_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: the last anonymisation, deletion or purge
    compacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  #: when the last complete compaction started

    def __repr__(self) -> str:
        return f"<ErasureState erased {self.erased_at} compacted {self.compacted_at}>"
