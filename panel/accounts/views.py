import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.audit.log import record
from panel.branding.services import brand_for
from panel.commands import web
from panel.grants import sessions
from panel.grants.access import visible_servers

from . import login_steps, sign_in_links, sudo, two_factor
from .decorators import admin_required
from .forms import CodeForm, ConfirmForm, EnrolForm, LoginForm, SecuritySettingsForm
from .models import SecuritySettings, User
from .sudo import sudo_required


# Django's LoginView and PasswordChangeView already mark their password fields with
# sensitive_post_parameters (on dispatch), so error reports never show them.
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if form.needs_code:
            login_steps.wait_for_code(self.request, user, self.get_success_url())
            return redirect("accounts:login_code")
        return login_steps.finish(self.request, user, self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal:
            response.status_code = 429  # Too Many Requests; the page says until when
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (its key is new)
        # Whoever knew the old password and logged in with it is out, everywhere else.
        sessions.end_all(self.request.user, keep=self.request.session.session_key)
        record("auth.password_change", request=self.request)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The login's second step, for users with two-factor login."""
    waiting = login_steps.pending(request)
    if waiting is None:
        return redirect("accounts:login")
    user, step = waiting
    form = CodeForm(request.POST if request.method == "POST" else None, request=request, user=user)
    if form.is_bound and form.is_valid():
        return login_steps.finish(
            request, user, step["next"], backend=step["backend"], device=form.device
        )
    status = 429 if form.refusal else 400 if form.is_bound else 200
    return render(request, "accounts/login_code.html", {"form": form}, status=status)


def _two_factor_page(request, *, enrol_form=None, off_form=None, status=200):
    """The user's "Two-factor login" page: on (recovery codes, turn off), being set up
    (QR code, secret, first code) or off (set up)."""
    user = request.user
    context = {"required": SecuritySettings.two_factor_required()}
    if two_factor.has_two_factor(user):
        context["enabled"] = True
        context["codes_left"] = two_factor.recovery_codes_left(user)
        context["off_form"] = off_form or ConfirmForm(request=request, user=user)
    elif (device := two_factor.pending_device(user)) is not None:
        context["qr_code"] = two_factor.qr_code(device, brand_for(request).name)
        context["secret"] = two_factor.secret(device)
        context["enrol_form"] = enrol_form or EnrolForm(device=device)
    return render(request, "accounts/two_factor.html", context, status=status)


@require_GET
def two_factor_page(request):
    return _two_factor_page(request)


@require_POST
@sudo_required  # a stolen session must not put its own authenticator on the account
def two_factor_start(request):
    if not two_factor.has_two_factor(request.user):
        two_factor.start(request.user)
    return redirect("accounts:two_factor")


@require_POST
@sensitive_post_parameters("code")
def two_factor_confirm(request):
    device = two_factor.pending_device(request.user)
    if device is None:
        return redirect("accounts:two_factor")
    form = EnrolForm(request.POST, device=device)
    if not form.is_valid():
        return _two_factor_page(request, enrol_form=form, status=400)
    codes = two_factor.turn_on(device)
    django_otp.login(request, device)  # this session gave the code: it is verified
    # Sessions opened with the password alone end: only this one never asked for a code.
    sessions.end_all(request.user, keep=request.session.session_key)
    record("auth.2fa_enable", request=request)
    return _recovery_codes_page(request, codes)


@require_POST
@sudo_required  # whoever sees new codes can log in without the phone
def recovery_codes(request):
    if not two_factor.has_two_factor(request.user):
        return redirect("accounts:two_factor")
    codes = two_factor.new_recovery_codes(request.user)
    record("auth.2fa_recovery_codes", request=request)
    return _recovery_codes_page(request, codes)


def _recovery_codes_page(request, codes: list[str]):
    """Shown once, as the answer to the POST that made them: they are nowhere else but in
    django-otp's table."""
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
@sensitive_post_parameters("code")
def two_factor_off(request):
    form = ConfirmForm(request.POST, request=request, user=request.user)
    if not form.is_valid():
        return _two_factor_page(request, off_form=form, status=429 if form.refusal else 400)
    two_factor.turn_off(request.user)
    record("auth.2fa_disable", request=request)
    messages.success(request, _("Two-factor login is off. Your password alone logs you in."))
    return redirect("accounts:two_factor")


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def sudo_confirm(request):
    """Confirm it is you (panel.accounts.sudo), then back to where you were."""
    next_url = sudo.safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, request=request, user=request.user
    )
    if form.is_bound and form.is_valid():
        sudo.confirm(request.session)
        record("auth.sudo", request=request)
        return redirect(next_url)
    status = 429 if form.refusal else 400 if form.is_bound else 200
    context = {"form": form, "next": next_url, "minutes": settings.PANEL_SUDO_MINUTES}
    return render(request, "accounts/sudo.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def security_settings(request):
    """Switches for everyone; for now, whether two-factor login is required."""
    form = SecuritySettingsForm(
        request.POST if request.method == "POST" else None, instance=SecuritySettings.current()
    )
    if form.is_bound and form.is_valid():
        if form.has_changed():
            form.save()
            details = {"required": form.instance.require_two_factor}
            record("settings.require_2fa", request=request, details=details)
        messages.success(request, _("The security settings were saved."))
        return redirect("accounts:security")
    active = User.objects.filter(is_active=True)
    context = {
        "form": form,
        "users": active.count(),
        "without": two_factor.without_two_factor(active).count(),
    }
    return render(request, "accounts/security.html", context)


def _link_refused(request, title: str, text: str):
    context = {"title": title, "text": text}
    # 200, as for an invitation's link that does not work: a page for a person.
    return render(request, "accounts/sign_in_link.html", context)


@login_not_required
@never_cache
@require_GET
def sign_in_link(request):
    """A one-time sign-in link (sign_in_links): logs its person in, on the page it names.

    Whoever was logged in in this browser before is logged out first: the link is
    somebody's way in, and must not act on another person's session."""
    link = sign_in_links.redeem(request.GET.get("token", ""))
    if link is None:
        return _link_refused(
            request,
            _("This sign-in link does not work any more"),
            _(
                "A sign-in link works once, for one minute. Go back to where you came from "
                "for a new one, or log in with your username and password."
            ),
        )
    user = link.user
    if not user.is_active:
        return _link_refused(
            request,
            _("This account is disabled"),
            _("Contact the company that gave you access to this panel."),
        )
    if user.customer_id is not None and user.customer.is_suspended:
        return _link_refused(
            request,
            _("Your account is suspended"),
            _(
                "The account of %(customer)s is suspended: you cannot see or change servers "
                "until it is reactivated."
            )
            % {"customer": user.customer.name},
        )
    if request.user.is_authenticated:
        logout(request)
    target = reverse("site:home")
    if link.server_id is not None and visible_servers(user).filter(pk=link.server_id).exists():
        target = reverse("servers:detail", args=[link.server_id])
    user.backend = "django.contrib.auth.backends.ModelBackend"
    details = {"made by": link.made_by}
    if link.server is not None:
        details["lands on"] = link.server.display_name
    record("auth.sign_in_link", actor=web.actor(request, user), details=details)
    if two_factor.has_two_factor(user):
        login_steps.wait_for_code(request, user, target)
        return redirect("accounts:login_code")
    return login_steps.finish(request, user, target, proved=False)
