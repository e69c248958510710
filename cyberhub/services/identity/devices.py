"""A readable summary of a user agent ("Firefox on Linux") for the list of signed-in sessions.

A short parser rather than a library: only the common browsers, systems and API clients are
named; anything else is "Unknown browser" / "Unknown device". The order matters: Edge, Opera and
Samsung Internet also say "Chrome", Chrome also says "Safari", Android also says "Linux" and iOS
says "like Mac OS X". The user agent is the visitor's own text: the summary is only ever made of
the fixed names below.
"""

from __future__ import annotations

UNKNOWN_DEVICE = "Unknown device"
UNKNOWN_BROWSER = "Unknown browser"

# (marker in the user agent, name): the first that matches names it.
BROWSERS: tuple[tuple[str, str], ...] = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS: tuple[tuple[str, str], ...] = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
# Programs that call the JSON API (their user agent starts with the name).
CLIENTS: tuple[tuple[str, str], ...] = (
    ("curl/", "curl"),
    ("python-requests/", "Python (requests)"),
    ("python-httpx/", "Python (httpx)"),
    ("python-urllib", "Python (urllib)"),
    ("PostmanRuntime/", "Postman"),
    ("Wget/", "Wget"),
    ("node-fetch", "Node.js"),
    ("axios/", "Node.js (axios)"),
    ("Go-http-client/", "Go"),
    ("testclient", "Test client"),
)


def _first(user_agent: str, names: tuple[tuple[str, str], ...]) -> str | None:
    return next((name for marker, name in names if marker in user_agent), None)


def summary(user_agent: str | None) -> str:
    """ "Firefox on Linux", "Safari on iPhone", "curl"; UNKNOWN_DEVICE for none or gibberish."""
    agent = (user_agent or "").strip()
    if not agent:
        return UNKNOWN_DEVICE
    client = next((name for marker, name in CLIENTS if agent.startswith(marker)), None)
    if client:
        return client
    browser, system = _first(agent, BROWSERS), _first(agent, SYSTEMS)
    if system is None:
        return browser or UNKNOWN_DEVICE
    return f"{browser or UNKNOWN_BROWSER} on {system}"
