"""Account management for the security admin, and personal API tokens for everyone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shegong.core.forms import apply_errors
from shegong.core.text import join_messages

from . import factors, services
from .forms import AssignmentForm, PasswordResetForm, TokenForm, UserCreateForm
from .models import ApiToken, RoleAssignment
from .selectors import manageable_users


def _managed_user_or_404(request, pk: int):
    user = manageable_users(request.actor).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
def user_list(request):
    request.actor.require("accounts.manage")
    q = request.GET.get("q", "").strip()
    page = Paginator(manageable_users(request.actor, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    request.actor.require("accounts.manage")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.actor,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                roles=[(data["role"], data["region"], None)],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已创建用户 %(u)s。") % {"u": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def user_detail(request, pk: int):
    request.actor.require("accounts.manage")
    user = _managed_user_or_404(request, pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "managed": user,
            "assignment_form": AssignmentForm(),
            "reset_form": PasswordResetForm(),
        },
    )


@login_required
@require_POST
def user_action(request, pk: int, action: str):
    request.actor.require("accounts.manage")
    user = _managed_user_or_404(request, pk)
    try:
        if action == "assign":
            form = AssignmentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请选择角色并填写区划代码"))
            services.assignment_add(
                actor=request.actor,
                user=user,
                role=form.cleaned_data["role"],
                region_code=form.cleaned_data["region"],
            )
        elif action == "unassign":
            assignment = RoleAssignment.objects.filter(user=user, pk=request.POST.get("assignment")).first()
            if assignment is None:
                raise Http404
            services.assignment_remove(actor=request.actor, assignment=assignment)
        elif action == "reset":
            form = PasswordResetForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写临时密码"))
            services.password_reset(
                actor=request.actor, user=user, new_password=form.cleaned_data["password"]
            )
        elif action == "factor_reset":
            factors.factor_reset(actor=request.actor, user=user)
        elif action == "unlock":
            services.user_unlock(actor=request.actor, user=user)
        elif action in ("activate", "deactivate"):
            services.user_set_active(actor=request.actor, user=user, active=action == "activate")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, join_messages(exc.messages))
    else:
        messages.success(request, _("已完成。"))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.token_create(
            actor=request.actor,
            user=request.user,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    services.token_revoke(actor=request.actor, token=token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")
