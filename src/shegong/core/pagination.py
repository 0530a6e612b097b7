"""The lists' paging: one page of a queryset and the page numbers the shared pager (``includes/pager.html``) draws."""

from __future__ import annotations

from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int) -> dict:
    """``{"page", "page_range"}`` for ``?page=`` of ``queryset``; a page number past the end or not a number reads
    as the last or the first page."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
