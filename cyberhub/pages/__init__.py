"""One module per page. Importing this package registers every page in `registry`."""

from cyberhub.pages import (  # noqa: F401
    admin_users,
    dashboard,
    landing,
    mission,
    missions,
    not_found,
    signin,
    signup,
    tracks,
)
