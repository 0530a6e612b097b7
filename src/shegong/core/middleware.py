"""Request plumbing shared by every page and API operation."""

from __future__ import annotations

from shegong.core.text import unsearchable_removed


class QueryStringHygieneMiddleware:
    """Search boxes and list filters arrive in the query string; a NUL byte there made PostgreSQL raise (500) on
    every list page and API list. Characters no database column holds (NUL, control and bidi format characters)
    are dropped from every GET value here, once, before any view or API operation reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING") and any(
            not value.isprintable() for values in request.GET.lists() for value in values[1]
        ):
            cleaned = request.GET.copy()
            for key, values in request.GET.lists():
                cleaned.setlist(key, [unsearchable_removed(value) for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
