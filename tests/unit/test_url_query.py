"""A list's address is its state: what a shared link, a reload or Back restores."""

from cyberhub.state import url_query
from cyberhub.state.url_query import ALL


def test_unknown_or_absent_values_mean_any_and_pages_start_at_one() -> None:
    params = {"track": "builders", "status": "<script>", "page": "-3", "q": "  s3 bucket  "}
    assert url_query.choice(params, "track", {"builders", "leaders"}) == "builders"
    assert url_query.choice(params, "status", {"draft"}) == ALL
    assert url_query.choice(params, "difficulty", {"1"}) == ALL
    assert url_query.text(params, "q") == "s3 bucket"
    assert url_query.text({"q": "x" * 500}, "q") == "x" * 200
    assert url_query.page(params) == 1
    assert url_query.page({"page": "7"}) == 7
    assert url_query.page({"page": "99999999"}) == 1
    assert url_query.page({"page": "²"}) == 1  # a superscript two: page 1, not a ValueError


def test_the_url_keeps_only_what_differs_from_the_defaults() -> None:
    assert url_query.list_url("/missions", {"track": ALL, "sort": ""}) == "/missions"
    got = url_query.list_url("/missions", {"track": "leaders", "skill": "a&b"}, "cloud iam", 2)
    assert got == "/missions?track=leaders&skill=a%26b&q=cloud+iam&page=2"
    # Round trip: what the address says is what the page reads back.
    assert url_query.page({"page": got.rsplit("=", 1)[1]}) == 2
