from django.utils.functional import SimpleLazyObject

from shegong.core.scoping import scope_is_active

from .selectors import unread_count


def inbox(request):
    """The top bar's unread count: one COUNT query, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not scope_is_active():
        return {"inbox_unread": 0}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
