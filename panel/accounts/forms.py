from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.audit.log import record
from panel.audit.models import AuditEntry

from . import throttle
from .models import User


class LoginForm(AuthenticationForm):
    """Django's login form with throttling (panel.accounts.throttle): per username and
    client address, and per username from every address except known ones."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match. Please try again.",
        "throttled": "Too many failed attempts. Try again after %(time)s.",
    }

    # Set when the attempt was refused by a limit: the view answers HTTP 429.
    refusal: throttle.Refusal | None = None

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()  # the field errors say what is missing; nothing to check
        address = throttle.client_address(self.request)
        trusted = throttle.is_trusted(self.request, username, address)
        # Written down before the check, so parallel guesses cannot all get through.
        self.refusal = throttle.attempt(username, address, trusted=trusted)
        if self.refusal:
            record(
                "auth.login_failed",
                request=self.request,
                actor_name=username,
                result=AuditEntry.Result.REFUSED,
                message="Too many failed attempts: the password was not checked.",
            )
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"time": _clock(self.refusal.until)},
            )
        cleaned = super().clean()
        throttle.succeeded(username, address)
        return cleaned


def _clock(moment) -> str:
    """The local time a lock ends, rounded up to the minute: "14:35", or "1 Dec 14:35"
    when it is not today."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return f"{local.day} {local:%b %H:%M}"


def check_new_username(username: str, *, instance: User | None = None) -> None:
    """Refuse a username another user has in any case ("Anna" when "anna" exists); the
    database holds the same rule (user_username_ci_unique)."""
    others = User.objects.filter(username__iexact=username)
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError(_("A user with that username already exists."), code="unique")
