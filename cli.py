"""Command-line tools: ``flask users …``, ``flask demo …``, ``flask codelists …``."""
from __future__ import annotations

import sys

import click
from sqlalchemy import text as sa_text
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from models.enums import Role
from services import client_documents, codelists, demo, merge, privacy, retention, throttle, twofactor, users
from services.errors import ServiceError
from services.progress import Progress

users_cli = AppGroup("users", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying Poradna out.")
codelists_cli = AppGroup("codelists", help="Code lists (topics, public offices).")
clients_cli = AppGroup("clients", help="A client's data rights: export, anonymisation, deletion; merging duplicates.")
retention_cli = AppGroup("retention", help="The retention rule (RETENTION_YEARS after the last contact).")
privacy_cli = AppGroup("privacy", help="Erased data out of the database's files.")

ROLE_CHOICE = click.Choice([r.value for r in Role])
#: above this many clients the demo data is written in bulk (executemany on SQLite, COPY on PostgreSQL)
BULK_THRESHOLD = 2000


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name of the person.")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE_CHOICE, help="A role; repeat for several.")
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code of a language spoken; repeatable.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_user(email, name, roles, languages, password_stdin):
    """Create a staff account EMAIL. Asks for the password twice unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        worker = users.create_worker(db.session, email, name, list(roles), password=password, languages=list(languages))
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Created account {worker.id} ({worker.email}) with roles: {', '.join(worker.roles)}")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def set_password(email, password_stdin):
    """Set a new password for the account EMAIL."""
    worker = users.find_by_email(db.session, email)
    if worker is None:
        raise click.ClickException("No such account.")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        users.change_password(db.session, worker, password, via="cli")  # the same operation as the web forms
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Password changed for account {worker.id}; its sessions have been signed out.")


@users_cli.command("unlock")
@click.argument("email")
def unlock_user(email):
    """Lift the sign-in lockout of the account EMAIL (after too many failed sign-ins)."""
    worker = users.find_by_email(db.session, email)
    if worker is None:
        raise click.ClickException("No such account.")
    removed = throttle.lift_account(db.session, worker)
    db.session.commit()
    click.echo(f"Sign-in lockout lifted for account {worker.id} ({removed} failed attempts forgotten).")


@users_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor(email):
    """Turn off two-factor sign-in of the account EMAIL (a lost phone and lost recovery codes).

    If the account's role requires it, the person sets it up again at the next sign-in.
    """
    worker = users.find_by_email(db.session, email)
    if worker is None:
        raise click.ClickException("No such account.")
    if not users.turn_off_two_factor(db.session, worker, via="cli"):  # the same operation as the staff screen's
        click.echo(f"Two-factor sign-in is not set up for account {worker.id}; nothing changed.")
        return
    db.session.commit()
    click.echo(f"Two-factor sign-in reset for account {worker.id}; its sessions have been signed out.")


@demo_cli.command("seed")
@click.option("--clients", default=200, show_default=True, type=click.IntRange(0, 1_000_000),
              help="How many clients (above 2 000 inserted in bulk: 100 000 give about a million appointments).")
@click.option("--seed", "seed_value", default=1, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already holds clients.")
def seed(clients, seed_value, if_empty):
    """Fill the database with realistic demo data and create one demo account per role."""
    if if_empty and demo.is_seeded(db.session):
        click.echo("The database already holds data; nothing seeded.")
        return
    import time

    started = time.monotonic()
    with Progress("Seeding demo clients", clients, unit="clients") as advance:
        if clients > BULK_THRESHOLD:
            from services import demo_bulk

            if db.engine.dialect.name == "sqlite":
                db.session.execute(sa_text("PRAGMA synchronous=OFF"))
            result = demo_bulk.seed_bulk(db.session, clients=clients, seed=seed_value, progress=advance)
        else:
            result = demo.seed(db.session, clients=clients, seed=seed_value, progress=advance)
        db.session.commit()
    click.echo(f"Seeded in {time.monotonic() - started:.1f} s.", err=True)
    counts = result["counts"]
    click.echo("Seeded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if result["logins"]:
        click.echo("\nDemo accounts (passwords are shown only now):")
        for email, roles, password in result["logins"]:
            click.echo(f"  {email:32} {password:20} {', '.join(roles)}")
        click.echo(two_factor_note({getattr(r, "value", r) for _e, roles, _p in result["logins"] for r in roles}))


def two_factor_note(demo_roles: set[str]) -> str:
    """What the demo accounts meet at their first sign-in under REQUIRE_2FA_ROLES (printed after the logins)."""
    required_roles = twofactor.required_roles()
    required = [role.value for role in Role if role.value in demo_roles and role.value in required_roles]
    setting = f"REQUIRE_2FA_ROLES={','.join(sorted(required_roles))}"
    if not required:
        return f"\nTwo-factor sign-in is optional for every demo account ({setting})."
    return (
        f"\nNote: the {' and '.join(required)} accounts will be asked to set up two-factor sign-in with an"
        "\nauthenticator app (any TOTP app) at their first sign-in, before they see anything else."
        f"\nThat is {setting}; for a local first look without it, start with:\n  REQUIRE_2FA_ROLES= make run"
    )


@codelists_cli.command("load")
def load_codelists():
    """Add the default topics and public offices that are missing."""
    topics, offices = codelists.ensure_defaults(db.session)
    db.session.commit()
    click.echo(f"Added {topics} topics and {offices} public offices.")


def _client_by_code(code: str):
    from models import Client

    client = db.session.query(Client).filter(Client.code == code.strip()).one_or_none()
    if client is None:
        raise click.ClickException(f"No client with code {code}.")
    return client


@clients_cli.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json", show_default=True)
@click.option("--lang", type=click.Choice(client_documents.languages()), default=None,
              help="Language of the HTML page (default: the client's first recorded language there are documents in, else cs).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of standard output.")
def export_client(code, fmt, lang, output):
    """Export everything held about the client CODE (right of access).

    The export is recorded in the audit trail once the document has been produced and written."""
    client = _client_by_code(code)
    lang = client_documents.for_client(client, lang)
    text = privacy.export_client(db.session, client, fmt, lang)  # recorded; committed once written
    try:
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            click.echo(text)
    except OSError as exc:
        db.session.rollback()  # not written: not exported
        raise click.ClickException(f"Could not write the record: {exc.strerror or exc}") from exc
    db.session.commit()
    if output:
        click.echo(f"Wrote the record of {client.code} to {output}.", err=True)


def _wipe_freed_space() -> bool:
    """Clear erased text from SQLite's files; warn on standard error when the log stayed busy. On
    PostgreSQL say when it leaves the files (the compaction)."""
    if db.engine.dialect.name == "postgresql":
        click.echo("The erased text leaves PostgreSQL's files at the next compaction (`flask privacy compact`, "
                   "run by `flask retention purge --yes` after any erasure).", err=True)
        return True
    if privacy.wipe_freed_space(db.session):
        return True
    click.echo("Warning: the erasure is saved, but the database's write-ahead log was busy and could not be "
               "checkpointed; old copies of the erased text may remain in it until the next checkpoint "
               "(the next erasure, or when the application stops).", err=True)
    return False


@clients_cli.command("anonymise")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def anonymise_client(code, yes):
    """Anonymise the client CODE: remove personal data and notes for good, keep coded data, cancel the
    planned appointments ahead. A client marked anonymised who still holds personal data or text is
    anonymised again."""
    client = _client_by_code(code)
    if not privacy.needs_anonymising(db.session, client):
        click.echo(f"{client.code} is already anonymised and holds no personal data or text; nothing to do.")
        return
    if client.legal_hold:
        raise click.ClickException(f"{client.code} is on legal hold and cannot be anonymised.")
    if client.anonymised_at is not None:
        click.echo(f"{client.code} was anonymised on {client.anonymised_at:%Y-%m-%d} but still holds personal data or text.")
    click.echo(f"Anonymising {client.code} will remove:")
    for label, count in privacy.anonymise_preview(db.session, client):
        click.echo(f"  {count:6d}  {label}")
    planned = privacy.planned_appointments(db.session, [client.id])
    if planned:
        click.echo(f"and cancel {len(planned)} planned appointment(s) (cancelled by the centre):")
        for appointment in planned:
            click.echo(f"  {appointment.starts_at:%Y-%m-%d %H:%M} UTC  appointment {appointment.id}")
    if not yes and not click.confirm("This cannot be undone. Continue?", default=False):
        raise click.ClickException("Nothing was changed.")
    try:
        privacy.anonymise(db.session, client)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    _wipe_freed_space()
    click.echo(f"{client.code} was anonymised.")


@clients_cli.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_client(code, yes):
    """Delete the client CODE and everything under it (the audit trail keeps the code)."""
    client = _client_by_code(code)
    click.echo(f"Deleting {client.code} removes:")
    for label, count in privacy.delete_preview(db.session, client):
        click.echo(f"  {count:6d}  {label}")
    if not yes and not click.confirm("This cannot be undone. Continue?", default=False):
        raise click.ClickException("Nothing was changed.")
    try:
        removed = privacy.delete_client(db.session, client)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    _wipe_freed_space()
    click.echo(f"{removed} was deleted.")


@clients_cli.command("merge")
@click.argument("from_code")
@click.argument("into_code")
@click.option("--take", "take", multiple=True, type=click.Choice(merge.FIELDS),
              help="A field whose values differ: take FROM_CODE's value instead of INTO_CODE's; repeatable.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def merge_clients(from_code, into_code, take, yes):
    """Merge the duplicate FROM_CODE into the record INTO_CODE of the same person: its appointments,
    visits, intakes, agreements with their tasks, data requests and history move; INTO_CODE's personal
    data win where both differ (unless --take); FROM_CODE keeps only its code, which leads to INTO_CODE."""
    duplicate, kept = _client_by_code(from_code), _client_by_code(into_code)
    try:
        plan = merge.preview(db.session, duplicate, kept, take)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(f"Merging {duplicate.code} into {kept.code} (kept):")
    for record in (duplicate, kept):
        click.echo(f"  {record.code:12} {record.display_name or '-'}; born {record.birth_year or '-'}; "
                   f"{record.citizenship or '-'}; worker {record.worker.full_name if record.worker else '-'}")
    click.echo("Moves to the kept record:")
    for label, count in plan.moves:
        click.echo(f"  {count:6d}  {label}")
    if plan.open_cover:
        click.echo(f"  Open cover access on {duplicate.code} ends: {plan.open_cover}")
    for choice in plan.fields:
        if choice.state == "filled":
            click.echo(f"  {choice.name}: {choice.other} (the kept record has none)")
        elif choice.state == "conflict":
            winner = "FROM, --take" if choice.name in take else "INTO"
            click.echo(f"  {choice.name}: {choice.kept} (INTO) / {choice.other} (FROM) -> {winner}")
        elif choice.state == "dropped":
            click.echo(f"  {choice.name}: {choice.other} (FROM) is not kept: the kept record is anonymous")
    _confirmed(yes, "Merge now? This cannot be undone.", lambda: merge.merge(db.session, duplicate, kept, take=take))
    click.echo(f"{duplicate.code} was merged into {kept.code}.")


def _confirmed(yes: bool, question: str, operation):
    """Ask ``question`` unless ``--yes``, run ``operation`` (a service call that erases), commit and clear
    the erased text from the database's files; a refusal of the service ends the command, nothing changed."""
    if not yes and not click.confirm(question, default=False):
        raise click.ClickException("Nothing was changed.")
    try:
        result = operation()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    _wipe_freed_space()
    return result


@retention_cli.command("purge")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Reference date (default: today).")
@click.option("--dry-run", is_flag=True, help="Only list who would be affected and why.")
@click.option("--yes", is_flag=True, help="Run without asking (for cron).")
def purge(as_of, dry_run, yes):
    """Anonymise clients whose last contact is older than RETENTION_YEARS; remove old walk-in summaries."""
    from flask import current_app

    years = current_app.config["RETENTION_YEARS"]
    day = as_of.date() if as_of else retention.default_as_of()
    plan = retention.plan(db.session, day, years, sample_size=0)
    click.echo(f"As of {day}: last activity before {plan.cutoff} ({years} years).")
    click.echo(f"  clients to anonymise:           {plan.to_anonymise}")
    click.echo(f"  kept because of a legal hold:   {plan.on_legal_hold}")
    click.echo(f"  walk-in summaries to remove:    {plan.walk_in_summaries}")
    if dry_run:
        # every affected client, read in keyset batches: memory stays bounded however many there are
        for row in retention.iter_affected(db.session, plan.cutoff):
            basis = ("anonymised before, still holds personal data or text" if row["basis"] == "anonymised"
                     else f"last {row['basis'].replace('_', ' ')}")
            status = basis + ("; legal hold, kept" if row["legal_hold"] else "")
            click.echo(f"  {row['code']:12} {row['last_activity']:%Y-%m-%d}  {status}")
        return
    if not yes and not click.confirm("Anonymise these clients now? This cannot be undone.", default=False):
        raise click.ClickException("Nothing was changed.")
    with Progress("Anonymising expired clients", plan.to_anonymise, unit="clients") as advance:
        counts = retention.purge(db.session, day, years, on_client=lambda _client_id: advance())
    click.echo(f"Done: {counts['anonymised']} anonymised, {counts['walk_in_summaries']} walk-in summaries removed, "
               f"{counts['legal_hold']} kept on legal hold.")
    if privacy.compaction_pending(db.session):  # erased now or since the last compaction: out of the files too
        _report_compaction(privacy.compact(db.session))


COMPACT_HELP = """Rewrite the database's files so that no erased text stays in them.

On PostgreSQL an anonymised, deleted or purged value stays in the table and index files (as an old
row version) until the table is rewritten. This rewrites each table that held such text (VACUUM FULL
of client, appointment, visit, agreement, intake, roadmap_task, reassignment, cover_grant,
data_request and audit_event, with their indexes). Each table takes a short exclusive lock while it
is rewritten: reads and writes of that table wait (measured: about half a second per 100 000
appointments, 1.5 s per 100 000 clients). A table whose
lock is not free within --lock-timeout seconds is skipped and left for the next run. On SQLite freed
content is overwritten with zeros already; this empties the write-ahead log and rewrites the search
indexes. `flask retention purge --yes` runs it when something was erased since the last compaction."""


@privacy_cli.command("compact", help=COMPACT_HELP)
@click.option("--lock-timeout", type=click.IntRange(1, 3600), default=10, show_default=True,
              help="Seconds to wait for each table's lock before skipping it.")
def compact(lock_timeout):
    result = privacy.compact(db.session, lock_timeout_ms=lock_timeout * 1000)
    _report_compaction(result)
    if not result.complete:
        raise click.ClickException("Some tables were skipped; run the compaction again.")


def _report_compaction(result) -> None:
    if result.engine == "postgresql":
        click.echo(f"Compacted {len(result.tables)} tables in {result.seconds} s"
                   + (f"; skipped (lock not free): {', '.join(result.skipped)}" if result.skipped else "") + ".")
        if not result.statistics:
            click.echo("Note: the planner's statistics (pg_statistic) were not rewritten: that needs a superuser; "
                       "they hold sample values of columns until the next VACUUM FULL of pg_statistic.", err=True)
    elif result.complete:
        click.echo("Compacted: the write-ahead log is emptied and the search indexes rewritten.")
    else:
        _wipe_freed_space()


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(codelists_cli)
    app.cli.add_command(clients_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(privacy_cli)
    from cli_reports import report_cli

    app.cli.add_command(report_cli)
