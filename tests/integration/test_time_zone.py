"""The user's time zone (issue 13): chosen over the API or stored from the browser once, carried
by the principal to every page and route; unknown zones are refused with a message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub import migrate
from cyberhub.formatting import when
from cyberhub.models import AuditLog, User
from cyberhub.services import pg_zones
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import time_zones
from tests.factories import login, make_user, principal

pytestmark = [pytest.mark.auth, pytest.mark.integration]

ME = "/api/v1/auth/me"
ZONE = "/api/v1/auth/me/time-zone"
TZ_FILES_NOT_ZONES = ["posix/Europe/Paris", "right/UTC", "localtime", "posixrules", "Factory"]


def bearer(client: TestClient, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(client, email)['access_token']}"}


class TestApi:
    def test_a_new_user_reads_utc_then_sets_nairobi(
        self, api_client: TestClient, session: Session
    ) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        headers = bearer(api_client, "tz@example.org")
        assert api_client.get(ME, headers=headers).json()["time_zone"] == "UTC"

        r = api_client.put(ZONE, json={"time_zone": "Africa/Nairobi"}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"time_zone": "Africa/Nairobi"}
        assert api_client.get(ME, headers=headers).json()["time_zone"] == "Africa/Nairobi"

        session.expire_all()
        assert principal(session, user).time_zone == "Africa/Nairobi"
        entry = session.exec(
            select(AuditLog).where(AuditLog.action == "user.time_zone_changed")
        ).one()
        assert entry.actor_id == user.id and entry.details["time_zone"] == "Africa/Nairobi"

    # "America": a folder of the tz database, not a zone (answered 500 before).
    @pytest.mark.parametrize(
        "bad", ["Mars/Olympus_Mons", "../../etc/passwd", " ", "x" * 65, "America", "Etc"]
    )
    def test_an_unknown_zone_is_4xx_with_detail_and_changes_nothing(
        self, api_client: TestClient, session: Session, bad: str
    ) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        headers = bearer(api_client, "tz@example.org")
        api_client.put(ZONE, json={"time_zone": "Europe/Berlin"}, headers=headers)
        r = api_client.put(ZONE, json={"time_zone": bad}, headers=headers)
        assert r.status_code == 422, r.text
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
        session.expire_all()
        assert principal(session, user).time_zone == "Europe/Berlin"

    # Files of the system's tz data zoneinfo opens but PostgreSQL does not know (SQL read them
    # as UTC while pages used the real zone: hours apart); only the offered IANA names pass.
    @pytest.mark.parametrize("odd", TZ_FILES_NOT_ZONES)
    def test_a_tz_file_that_is_not_an_offered_zone_is_422(
        self, api_client: TestClient, session: Session, odd: str
    ) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        headers = bearer(api_client, "tz@example.org")
        api_client.put(ZONE, json={"time_zone": "Europe/Berlin"}, headers=headers)
        r = api_client.put(ZONE, json={"time_zone": odd}, headers=headers)
        assert r.status_code == 422, r.text
        assert "Unknown time zone" in r.json()["detail"]
        session.expire_all()
        assert principal(session, user).time_zone == "Europe/Berlin"

    def test_signed_out_is_401(self, api_client: TestClient) -> None:
        r = api_client.put(ZONE, json={"time_zone": "Africa/Nairobi"})
        assert r.status_code == 401 and r.json()["detail"]


class TestBrowserZone:
    def test_stored_once_when_unset_and_never_over_a_choice(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        assert time_zones.remember_browser_zone(session, principal(session, user), "Asia/Tokyo")
        assert principal(session, user).time_zone == "Asia/Tokyo"

        time_zones.set_time_zone(session, principal(session, user), "Africa/Nairobi")
        assert (
            time_zones.remember_browser_zone(session, principal(session, user), "Asia/Tokyo")
            == "Africa/Nairobi"
        )
        assert principal(session, user).time_zone == "Africa/Nairobi"

    def test_an_unknown_browser_zone_is_ignored(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        assert time_zones.remember_browser_zone(session, principal(session, user), "Nowhere/X") == (
            "UTC"
        )
        assert time_zones.remember_browser_zone(session, principal(session, user), "America") == (
            "UTC"
        )
        assert session.get(User, user.id).time_zone is None  # type: ignore[union-attr]

    def test_a_browser_zone_that_is_a_tz_file_is_ignored(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        session.commit()
        for odd in TZ_FILES_NOT_ZONES:
            got = time_zones.remember_browser_zone(session, principal(session, user), odd)
            assert got == "UTC"
        assert session.get(User, user.id).time_zone is None  # type: ignore[union-attr]

    def test_the_settings_service_refuses_a_tz_file_and_keeps_the_zone(
        self, session: Session
    ) -> None:
        user = make_user(session, "tz@example.org", "student")
        time_zones.set_time_zone(session, principal(session, user), "Asia/Tokyo")
        for odd in TZ_FILES_NOT_ZONES:
            with pytest.raises(Invalid, match="Pick one from the list"):
                time_zones.set_time_zone(session, principal(session, user), odd)
        assert principal(session, user).time_zone == "Asia/Tokyo"

    def test_every_offered_zone_is_accepted(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        for name in ("UTC", "Africa/Nairobi", "Etc/GMT+3", "America/Argentina/Buenos_Aires"):
            assert name in time_zones.choices()
            assert time_zones.set_time_zone(session, principal(session, user), name) == name

    def test_a_tz_file_stored_before_the_check_still_reads(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        user.time_zone = "posix/Europe/Paris"
        session.add(user)
        session.commit()
        assert principal(session, user).time_zone == "posix/Europe/Paris"
        assert when(datetime(2026, 1, 5, 12, tzinfo=UTC), "posix/Europe/Paris").endswith("CET")

    def test_every_zone_the_picker_offers_is_one_postgresql_knows(self, session: Session) -> None:
        known = set(session.execute(text("SELECT name FROM pg_timezone_names")).scalars())
        assert set(time_zones.choices()) <= known

    def test_a_zone_the_database_server_lacks_is_refused_and_not_remembered(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A server whose tz data is older than Python's (a DATABASE_URL server) lacks a new zone:
        SQL could not read days in it, so it is never stored."""
        older = pg_zones.known_zones(session) - {"America/Ciudad_Juarez"}
        monkeypatch.setattr(pg_zones, "known_zones", lambda _session: older)
        user = make_user(session, "tz@example.org", "student")
        me = principal(session, user)
        assert time_zones.remember_browser_zone(session, me, "America/Ciudad_Juarez") == "UTC"
        with pytest.raises(Invalid, match="too new for this server"):
            time_zones.set_time_zone(session, me, "America/Ciudad_Juarez")
        assert session.get(User, user.id).time_zone is None  # type: ignore[union-attr]
        assert time_zones.set_time_zone(session, me, "America/Denver") == "America/Denver"

    def test_the_service_refuses_an_unknown_zone(self, session: Session) -> None:
        user = make_user(session, "tz@example.org", "student")
        with pytest.raises(Invalid, match="Unknown time zone"):
            time_zones.set_time_zone(session, principal(session, user), "Nowhere/X")


def test_times_read_in_the_principals_zone(session: Session) -> None:
    user = make_user(session, "tz@example.org", "student")
    time_zones.set_time_zone(session, principal(session, user), "Africa/Nairobi")
    assert user.created_at is not None
    assert when(user.created_at, principal(session, user).time_zone).endswith("EAT")


def test_migration_0016_adds_and_removes_the_column(session: Session, db_url: str) -> None:
    def columns() -> set[str]:
        sql = "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
        names = {r[0] for r in session.execute(text(sql)).all()}
        session.commit()
        return names

    user = make_user(session, "tz@example.org", "student")
    time_zones.set_time_zone(session, principal(session, user), "Africa/Nairobi")
    session.commit()
    session.close()
    migrate.downgrade(db_url, "0015")
    assert "time_zone" not in columns() and "email" in columns()
    migrate.upgrade(db_url, "head")
    assert "time_zone" in columns()
