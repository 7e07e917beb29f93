"""Command-line tools: ``flask users …``, ``flask demo …``, ``flask codelists …``."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import db
from models.enums import Role
from services import codelists, demo, users
from services.errors import ServiceError

users_cli = AppGroup("users", help="Staff accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying Poradna out.")
codelists_cli = AppGroup("codelists", help="Code lists (topics, public offices).")

ROLE_CHOICE = click.Choice([r.value for r in Role])


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
        users.check_password_rules(password, worker.email)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    worker.set_password(password)
    db.session.commit()
    click.echo(f"Password changed for account {worker.id}.")


@demo_cli.command("seed")
@click.option("--clients", default=200, show_default=True, type=click.IntRange(0, 1_000_000), help="How many clients.")
@click.option("--seed", "seed_value", default=1, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already holds clients.")
def seed(clients, seed_value, if_empty):
    """Fill the database with realistic demo data and create one demo account per role."""
    if if_empty and demo.is_seeded(db.session):
        click.echo("The database already holds data; nothing seeded.")
        return
    result = demo.seed(db.session, clients=clients, seed=seed_value)
    db.session.commit()
    counts = result["counts"]
    click.echo("Seeded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    if result["logins"]:
        click.echo("\nDemo accounts (passwords are shown only now):")
        for email, roles, password in result["logins"]:
            click.echo(f"  {email:32} {password:20} {', '.join(roles)}")


@codelists_cli.command("load")
def load_codelists():
    """Add the default topics and public offices that are missing."""
    topics, offices = codelists.ensure_defaults(db.session)
    db.session.commit()
    click.echo(f"Added {topics} topics and {offices} public offices.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(codelists_cli)
