"""Create a global admin from the command line: the way to get the first admin without demo data.

    make admin                                   # asks for everything
    make admin EMAIL=you@example.org NAME="Your Name"
    python -m cyberhub.create_admin --email you@example.org --name "Your Name"

The password is asked for twice and never echoed (nor accepted as an argument: it would land in
the shell history and the process list). Uses DATABASE_URL, or the embedded PostgreSQL in DATA_DIR
(started for the command and stopped again unless CyberHub is running); migrates it first.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from pydantic import ValidationError

from cyberhub import db, infra
from cyberhub.migrate import upgrade
from cyberhub.services.errors import DomainError
from cyberhub.services.identity import accounts, passwords
from cyberhub.settings import get_settings

Prompt = Callable[[str], str]


def _ask(prompt: Prompt, label: str, given: str | None) -> str:
    return (given if given is not None else prompt(label)).strip()


def main(
    argv: Sequence[str] | None = None,
    *,
    ask: Prompt = input,
    ask_secret: Prompt = getpass.getpass,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run the command; 0 when the admin was created, 1 (with a message on `err`) otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m cyberhub.create_admin", description="Create a CyberHub global admin."
    )
    parser.add_argument("--email", help="the admin's e-mail address (asked when omitted)")
    parser.add_argument("--name", help="the admin's full name (asked when omitted)")
    args = parser.parse_args(argv)

    try:
        settings = get_settings()
        email = accounts.normalize_email(_ask(ask, "E-mail: ", args.email))
        name = _ask(ask, "Full name: ", args.name)
        password = ask_secret("Password (not shown): ")
        passwords.validate_password(password, email)
        if ask_secret("The same password again: ") != password:
            print("The two passwords differ; nothing was created.", file=err)
            return 1
    except ValidationError as exc:
        print(f"The settings are not valid: {exc}", file=err)
        return 1
    except DomainError as exc:
        print(f"{exc.message} Nothing was created.", file=err)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nCancelled; nothing was created.", file=err)
        return 1

    # Stop the embedded server afterwards only if this command started it.
    started_here = (
        settings.embedded_database and not (settings.pg_data_dir / "postmaster.pid").exists()
    )
    try:
        upgrade(db.database_url())
        with db.session_scope() as session:
            user = accounts.create_admin(session, email=email, full_name=name, password=password)
            user_id = user.id
    except DomainError as exc:
        print(f"{exc.message} Nothing was created.", file=err)
        return 1
    finally:
        db.get_engine().dispose()
        if started_here:
            infra.stop_postgres(settings.pg_data_dir)
    print(
        f"Created the admin {email} (user {user_id}). Sign in at {settings.base_url}/signin",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
