"""The libraries' own texts in the project's natural Czech and English.

Flask-Admin's Czech catalog is stiff or incomplete ("Model byl úspěšně vytvořen.", "Upravit Záznam", no
"Failed to create record."), WTForms' lacks plural forms ("Field cannot be longer than 100 characters.") and
says "mezi 0 and 1440". The project's catalogs translations/*/LC_MESSAGES/admin.po (domain "admin") and
wtforms.po (domain "wtforms") hold the corrections; here they are layered over the libraries' catalogs,
the project's entries winning.
"""
from __future__ import annotations

from flask import current_app


def layered_catalog(directories: list[str], locale, domain: str):
    """One catalog of ``domain`` for ``locale`` from several directories, each later one winning over the
    earlier ones (the library's catalog first, the project's corrections last)."""
    from babel import support

    merged = support.Translations()
    for dirname in directories:
        catalog = support.Translations.load(dirname, [locale], domain=domain)
        if isinstance(catalog, support.Translations):
            merged.merge(catalog)
            if hasattr(catalog, "plural"):
                merged.plural = catalog.plural  # merge() copies the messages only
    return merged


def project_dir() -> str:
    return current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]


def correct_admin_catalog(app) -> None:
    """Flask-Admin's own texts ("Failed to create record.", "Edit Record") with the project's natural
    Czech and English (translations/*/LC_MESSAGES/admin.po) winning over Flask-Admin's catalog.

    Flask-Admin's domain merges the application's directory first and its own last, so its stiff or
    missing entries ("Model byl úspěšně vytvořen.") would win, and it keeps whichever catalog it built
    first per locale in its cache (``Domain.get_translations_cache``): the layered catalogs are put
    there for every language of the application, before any request."""
    from flask_admin import translations as admin_translations
    from flask_admin.babel import domain

    ours = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
    cache = domain.get_translations_cache(None)  # Flask-Babel's Domain: one cache for every request
    for language in app.config["LANGUAGES"]:
        cache[language, "admin"] = layered_catalog([admin_translations.__path__[0], ours], language, "admin")
