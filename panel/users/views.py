"""The users pages (panel admins): the list, adding a user, each user's page with its
edit form, disabling and enabling, password reset links, turning off two-factor login,
deleting; and the page a reset link opens (logged out)."""

from __future__ import annotations

import logging
from copy import copy

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device

from panel.accounts import sudo, two_factor
from panel.accounts.decorators import admin_required
from panel.accounts.models import User
from panel.accounts.sudo import sudo_required
from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.core.htmx import render_page
from panel.core.templatetags.panel import when
from panel.grants import sessions

from . import services
from .forms import DeleteForm, UserCreateForm, UserEditForm

logger = logging.getLogger(__name__)

PER_PAGE = 50


@admin_required
@require_GET
def user_list(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(services.user_list(query), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query}
    return render_page(request, "users/user_list.html", "user-table", context)


def _names(customers) -> str:
    return ", ".join(customer.name for customer in customers)


def _makes_admin(form) -> bool:
    """The form gives someone admin rights, or runs of customers (a new way into
    everything, or into those customers): asks for sudo."""
    if "is_panel_admin" in form.changed_data and form.cleaned_data["is_panel_admin"]:
        return True
    return "managed_customers" in form.changed_data and bool(form.cleaned_data["managed_customers"])


@sensitive_post_parameters("password")
@admin_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    # From a customer's page, the form starts with that customer chosen.
    initial = {"customer": request.GET.get("customer")}
    form = UserCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _makes_admin(form) and not sudo.is_active(request.session):
            return sudo.ask(request)
        user = form.save()
        details = {"user": user.username, "panel admin": user.is_panel_admin}
        if user.customer_id is not None:
            details["customer"] = user.customer.name
            details["role"] = user.customer_role
        if user.managed_customers.exists():
            details["limited to"] = _names(user.managed_customers.all())
        record("user.create", request=request, details=details)
        messages.success(request, _("User %(name)s was created.") % {"name": user.username})
        return redirect("grants:user", user_id=user.pk)
    return render(request, "users/user_create.html", {"form": form})


def _questions(user) -> dict:
    """What the confirmation dialogs (and their pages without JavaScript) ask."""
    name = {"name": user.get_username()}
    return {
        "disable": {
            "title": _("Disable %(name)s?") % name,
            "text": _(
                "%(name)s is logged out on their next click and cannot log in until an admin "
                "enables them again. Their access, teams and history stay."
            )
            % name,
            "confirm": _("Disable"),
        },
        "two_factor": {
            "title": _("Turn off two-factor login for %(name)s?") % name,
            "text": _(
                "For a lost phone: %(name)s logs in with their password alone until they "
                "set up two-factor login again. Their recovery codes stop working too."
            )
            % name,
            "confirm": _("Turn off two-factor login"),
        },
    }


@admin_required
@require_http_methods(["GET", "POST"])
def user_detail(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    # The form edits a copy: the page names the user as saved until the form is.
    form = UserEditForm(request.POST or None, instance=copy(user), editor=request.user)
    if request.method == "POST" and form.is_valid():
        if _makes_admin(form) and not sudo.is_active(request.session):
            return sudo.ask(request)
        if form.has_changed():
            saved = form.save()
            details = {"user": saved.username, "changed": ", ".join(form.changed_data)}
            if saved.username != user.username:
                details["was"] = user.username
            if "is_panel_admin" in form.changed_data:
                details["panel admin"] = saved.is_panel_admin
            if {"customer", "customer_role"} & set(form.changed_data):
                details["customer"] = saved.customer.name if saved.customer_id else ""
                details["role"] = saved.customer_role
            if "managed_customers" in form.changed_data:
                details["limited to"] = _names(saved.managed_customers.all())
            record("user.update", request=request, details=details)
            messages.success(request, _("%(name)s was saved.") % {"name": saved.username})
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("users:detail", user_id=user.pk)
    context = {
        "subject": user,
        "form": form,
        "is_self": user == request.user,
        "two_factor": user_has_device(user, confirmed=True),
        "memberships": user.memberships.select_related("team").order_by("team__name"),
        "questions": _questions(user),
        "reset_valid_for": services.reset_link_lifetime(),
    }
    return render(request, "users/user_detail.html", context)


def _refused_for_self(request, user, message: str) -> bool:
    """An admin never disables or deletes themselves: someone must stay to undo it."""
    if user != request.user:
        return False
    messages.error(request, message)
    return True


def _confirm_page(request, user, question: str):
    context = {"subject": user, "question": _questions(user)[question]}
    return render(request, "users/confirm.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def user_disable(request, user_id: int):
    """GET: the question (without JavaScript); POST: disable. The access path refuses a
    disabled user's open sessions on their next request (the auth backend does)."""
    user = get_object_or_404(User, pk=user_id)
    if _refused_for_self(request, user, _("You cannot disable yourself; another admin can.")):
        return redirect("users:detail", user_id=user.pk)
    if request.method == "GET":
        return _confirm_page(request, user, "disable")
    user.is_active = False
    user.save(update_fields=["is_active"])
    record("user.disable", request=request, details={"user": user.username})
    messages.success(request, _("%(name)s is disabled.") % {"name": user.username})
    return redirect("users:detail", user_id=user.pk)


@admin_required
@require_POST
def user_enable(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record("user.enable", request=request, details={"user": user.username})
    messages.success(request, _("%(name)s can log in again.") % {"name": user.username})
    return redirect("users:detail", user_id=user.pk)


@admin_required
@require_POST
@sudo_required  # whoever has the link logs in as the user
def password_reset_link(request, user_id: int):
    """E-mail the user a one-time link to set a new password; for a user without an
    e-mail address, show the link once, to pass on."""
    user = get_object_or_404(User, pk=user_id)
    link = services.reset_link(user)
    ends = services.reset_link_ends()
    details = {"user": user.username}
    if not user.email:
        record("user.password_reset_link", request=request, details={**details, "shown": True})
        context = {"subject": user, "link": link, "ends": ends}
        return render(request, "users/reset_link.html", context)
    values = {"email": user.email, "time": when(ends)}
    try:
        services.send_reset_link(user, link)
    except OSError as error:
        logger.warning("the password reset e-mail to user %s failed: %r", user.pk, error)
        failed = AuditEntry.Result.FAILED
        record("user.password_reset_link", request=request, details=details, result=failed)
        messages.error(
            request,
            _("The e-mail to %(email)s could not be sent. Please try again later.") % values,
        )
    else:
        details["sent to"] = user.email
        record("user.password_reset_link", request=request, details=details)
        messages.success(
            request,
            _("A password reset link was sent to %(email)s. It works once, until %(time)s.")
            % values,
        )
    return redirect("users:detail", user_id=user.pk)


@admin_required
@require_http_methods(["GET", "POST"])
@sudo_required  # the password alone then logs in as the user
def two_factor_off(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    if request.method == "GET":
        return _confirm_page(request, user, "two_factor")
    removed = two_factor.turn_off(user)
    # Whoever took over a session of theirs must log in again (an admin turning off
    # their own keeps the session they click from).
    keep = request.session.session_key if user == request.user else None
    ended = sessions.end_all(user, keep=keep)
    details = {"user": user.username, "devices": removed, "sessions ended": ended}
    record("user.2fa_reset", request=request, details=details)
    messages.success(
        request,
        _("Two-factor login is off for %(name)s, and they were logged out everywhere.")
        % {"name": user.username},
    )
    return redirect("users:detail", user_id=user.pk)


@admin_required
@require_http_methods(["GET", "POST"])
def user_delete(request, user_id: int):
    user = get_object_or_404(User, pk=user_id)
    if _refused_for_self(request, user, _("You cannot delete yourself; another admin can.")):
        return redirect("users:detail", user_id=user.pk)
    form = DeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        name = user.username
        # Their access and memberships go with them; audit entries keep their name.
        user.delete()
        record("user.delete", request=request, details={"user": name})
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect("users:user_list")
    return render(request, "users/user_delete.html", {"subject": user, "form": form})


class PasswordResetView(auth_views.PasswordResetConfirmView):
    """The page a reset link opens, logged out (Django's view: the token leaves the
    address at once, and is spent when the password changes)."""

    template_name = "users/password_reset.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.end_all(self.user)  # whoever knew the old password is out everywhere
        record("auth.password_reset", request=self.request, actor=self.user)
        messages.success(self.request, _("Your new password is set. Log in with it."))
        return response
