"""/review/{submission_id}: a mentor reviews one attempt — the work (answer, links, file), the
mission's rubric (work.py), earlier attempts with their reviews beside it (below on small screens;
view.py), claim / release, the scoring form with a confirmation (form.py) and its feedback snippets
(snippets.py), and the decision once sent, then the next submission in the queue. The state and the service calls it runs in worker threads are in state.py.

Every rule is in services/learning/reviews.py: the page shows what review_screen says the mentor may do,
and a refused action (another mentor's claim, an expired claim, bad scores) as its message.
"""

from __future__ import annotations

from cyberhub.components.page_kit import register_guarded_page
from cyberhub.models import Role
from cyberhub.pages.review.snippets import SnippetState
from cyberhub.pages.review.state import ROUTE, ReviewState, file_url, parse_scores
from cyberhub.pages.review.view import review_content
from cyberhub.routes import roles

__all__ = [
    "ROUTE",
    "ReviewState",
    "SnippetState",
    "file_url",
    "page",
    "parse_scores",
    "review_content",
]

page = register_guarded_page(
    ROUTE,
    "Review · CyberHub",
    review_content,
    roles(Role.mentor),
    ReviewState.load,
    SnippetState.load,
)
