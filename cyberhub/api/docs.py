"""The API's interactive docs (Swagger UI) served from this server, not from a CDN.

Swagger UI's files come from the `swagger-ui-bundle-v2` wheel; the page starts it with a local
script (docs_assets/swagger-init.js), so it runs under the app's Content-Security-Policy.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from cyberhub.api.deps import public
from cyberhub.services.errors import NotFound

router = APIRouter(tags=["docs"], include_in_schema=False)

_OWN = Path(__file__).parent / "docs_assets"
_SWAGGER = Path(str(swagger_ui_bundle.swagger_ui_path))
# The only files served under /docs/assets/: nothing else in those folders is reachable.
ASSETS = {
    "swagger-ui-bundle.js": _SWAGGER / "swagger-ui-bundle.js",
    "swagger-ui.css": _SWAGGER / "swagger-ui.css",
    "favicon-32x32.png": _SWAGGER / "favicon-32x32.png",
    "swagger-init.js": _OWN / "swagger-init.js",
}
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def docs_page(title: str, openapi_url: str, assets_url: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} - Swagger UI</title>
<link rel="stylesheet" href="{assets_url}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets_url}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script src="{assets_url}/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", dependencies=[Depends(public)])
async def get_docs(request: Request) -> HTMLResponse:
    """Swagger UI for this API."""
    from cyberhub.api import PREFIX  # noqa: PLC0415  (why: the cyberhub.api package imports this module)

    html = docs_page(request.app.title, f"{PREFIX}/openapi.json", f"{PREFIX}/docs/assets")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/docs/assets/{name}", dependencies=[Depends(public)])
async def get_docs_asset(name: str) -> FileResponse:
    """One of Swagger UI's files (or its start script)."""
    path = ASSETS.get(name)
    if path is None:
        raise NotFound("No such docs file.")
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=86400"},
    )
