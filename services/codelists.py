"""The initial code lists; admins edit them afterwards."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models import PublicOffice, Topic

TOPICS = [
    ("residence", "Pobyt a povolení", "Residence and permits"),
    ("employment", "Zaměstnání", "Employment"),
    ("housing", "Bydlení", "Housing"),
    ("health", "Zdravotní pojištění a péče", "Health insurance and care"),
    ("benefits", "Sociální dávky", "Social benefits"),
    ("education", "Vzdělávání a jazykové kurzy", "Education and language courses"),
    ("family", "Rodina", "Family"),
    ("documents", "Doklady a úřady", "Documents and offices"),
    ("other", "Jiné", "Other"),
]

OFFICES = [
    ("oamp", "Odbor azylové a migrační politiky MV (pracoviště pro pobyt)", "Interior Ministry – residence-permit office (OAMP)"),
    ("foreign_police", "Cizinecká policie", "Foreign police"),
    ("labour_office", "Úřad práce ČR", "Labour office"),
    ("health_insurer", "Zdravotní pojišťovna", "Health insurer"),
    ("municipal_office", "Obecní / městský úřad", "Municipal office"),
    ("school", "Škola", "School"),
    ("hospital", "Nemocnice", "Hospital"),
    ("social_security", "Okresní správa sociálního zabezpečení", "Social security administration"),
    ("tax_office", "Finanční úřad", "Tax office"),
]


def ensure_defaults(session: Session) -> tuple[int, int]:
    """Insert the default topics and offices that are missing; returns how many were added."""
    have_topics = {code for (code,) in session.query(Topic.code)}
    have_offices = {code for (code,) in session.query(PublicOffice.code)}
    new_topics = [Topic(code=c, label_cs=cs, label_en=en) for c, cs, en in TOPICS if c not in have_topics]
    new_offices = [PublicOffice(code=c, name_cs=cs, name_en=en) for c, cs, en in OFFICES if c not in have_offices]
    session.add_all(new_topics + new_offices)
    session.flush()
    return len(new_topics), len(new_offices)
