"""/settings/security: two-factor authentication (enrol with a QR code or the typed secret and
the current password, recovery codes shown once, replace them, turn MFA off with a code), changing
the password (password.py), the time zone dates and times are shown in, the calendar feed of due dates (calendar.py), where
you're signed in with Sign out for each other session (sessions.py), and "sign out everywhere"
(every session and API key, after a confirmation)."""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.pages.settings_security.calendar import CalendarFeedState
from cyberhub.pages.settings_security.password import PasswordState
from cyberhub.pages.settings_security.sessions import SignInsState
from cyberhub.pages.settings_security.state import SecurityState, TimeZoneState
from cyberhub.pages.settings_security.view import ROUTE, settings_security_content
from cyberhub.routes import SIGNED_IN

__all__ = [
    "ROUTE",
    "CalendarFeedState",
    "PasswordState",
    "SecurityState",
    "SignInsState",
    "TimeZoneState",
    "page",
]

page = register_guarded_page(
    ROUTE,
    "Security · Settings · CyberHub",
    settings_security_content,
    SIGNED_IN,
    SecurityState.load,
    TimeZoneState.load,
    CalendarFeedState.load,
    PasswordState.load,
    SignInsState.load,
)
