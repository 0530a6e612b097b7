"""The inbox: the reader's own messages, unread first; marking read; the outgoing-channel preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.scoping import get_scoped_or_404

from . import selectors, services
from .forms import PreferenceForm
from .models import Message, Preference

PAGE_SIZE = 30


@login_required
def inbox(request):
    page = Paginator(selectors.inbox_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def read(request, pk: int):
    """Mark one of the reader's messages read; with ``go``, follow its link."""
    message = get_scoped_or_404(Message.objects.filter(recipient=request.user), pk=pk)
    services.message_mark_read(actor=request.actor, message=message)
    if request.POST.get("go") and message.link and _is_local(request, message.link):
        return redirect(message.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.messages_mark_all_read(actor=request.actor)
    if count:
        messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    current = Preference.objects.filter(user=request.user).first()
    initial = (
        {"email_kinds": current.email_kinds, "sms_kinds": current.sms_kinds, "phone": current.phone}
        if current
        else {}
    )
    form = PreferenceForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preference_save(actor=request.actor, **form.cleaned_data)
        messages.success(request, _("消息设置已保存。"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "email": request.user.email})


def _is_local(request, link: str) -> bool:
    return link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
