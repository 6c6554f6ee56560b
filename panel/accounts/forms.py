import math
from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from panel.audit.log import record
from panel.audit.models import AuditEntry

from . import throttle, two_factor
from .models import SecuritySettings, User


class LoginForm(AuthenticationForm):
    """Django's login form with throttling (panel.accounts.throttle): per username and
    client address, and per username from every address except known ones."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("That username and password do not match. Please try again."),
        "throttled": gettext_lazy("Too many failed attempts. Try again after %(time)s."),
    }

    # Set when the attempt was refused by a limit: the view answers HTTP 429.
    refusal: throttle.Refusal | None = None
    # The password was right and the user has two-factor login: the code comes next.
    needs_code = False

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
        # With two-factor login the password alone is not a successful login: the code
        # step (CodeForm) tells the throttle.
        self.needs_code = two_factor.has_two_factor(self.get_user())
        if not self.needs_code:
            throttle.succeeded(username, address)
        return cleaned


def _clock(moment) -> str:
    """The local time a lock ends, rounded up to the minute, in the page's language's
    format (panel/formats/): "14:35", or "1 Dec 2026 14:35" when it is not today."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")


class CodeForm(forms.Form):
    """The login's second step: a code from the authenticator app, or a recovery code.

    Counted by the same throttle as passwords (each code is an attempt, written down
    before it is checked), and by django-otp's own throttle on the device."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )
    # What a refused value is audited as (never the value itself).
    failed_action = "auth.2fa_failed"
    failed_message = "Wrong code."
    wrong_message = gettext_lazy("That code is not right. Please try again.")

    refusal: throttle.Refusal | None = None
    # The django-otp device that accepted the code (None when a password was accepted).
    device = None

    def __init__(self, *args, request, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_code(self):
        value = self.cleaned_data["code"]
        username = self.user.get_username()
        address = throttle.client_address(self.request)
        trusted = throttle.is_trusted(self.request, username, address)
        self.refusal = throttle.attempt(username, address, trusted=trusted)
        if self.refusal:
            self._audit(AuditEntry.Result.REFUSED, "Too many failed attempts: it was not checked.")
            raise forms.ValidationError(
                LoginForm.error_messages["throttled"],
                code="throttled",
                params={"time": _clock(self.refusal.until)},
            )
        try:
            self.device = self.check(value)
        except two_factor.CodeRefused as refused:
            self._audit(AuditEntry.Result.FAILED, self.failed_message)
            message = _refused_message(refused, str(self.wrong_message))
            raise forms.ValidationError(message, code="wrong") from None
        throttle.succeeded(username, address)
        return value

    def check(self, value: str):
        """The device that accepts `value`; CodeRefused if none does."""
        return two_factor.verify(self.user, value)

    def _audit(self, result: str, message: str) -> None:
        record(
            self.failed_action,
            request=self.request,
            actor=self.user,
            result=result,
            message=message,
        )


class ConfirmForm(CodeForm):
    """The password again, or a code for users with two-factor login: before the most
    sensitive actions (panel.accounts.sudo) and before turning two-factor login off."""

    failed_action = "auth.sudo"
    failed_message = "Wrong password or code."
    wrong_message = gettext_lazy("That is not right. Please try again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_code = two_factor.has_two_factor(self.user)
        field = self.fields["code"]
        field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        field.label = _("Password or code") if self.with_code else _("Password")
        if self.with_code:
            field.help_text = _(
                "Your password, a code from your authenticator app or a recovery code."
            )

    def check(self, value: str):
        if self.user.check_password(value):
            return None
        if not self.with_code:
            raise two_factor.CodeRefused()
        return two_factor.verify(self.user, value)


def _refused_message(refused: two_factor.CodeRefused, wrong: str) -> str:
    if refused.until is None:
        return wrong
    seconds = max(1, math.ceil((refused.until - timezone.now()).total_seconds()))
    return ngettext(
        "Too many wrong codes in a row: wait %(seconds)d second and try again.",
        "Too many wrong codes in a row: wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


class EnrolForm(forms.Form):
    """The first code from a newly scanned authenticator, which turns it on."""

    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"]
        try:
            two_factor.check(self.device, code)
        except two_factor.CodeRefused as refused:
            wrong = _("That code is not right. Check your phone's clock and try the next code.")
            raise forms.ValidationError(_refused_message(refused, wrong), code="wrong") from None
        return code


class SecuritySettingsForm(forms.ModelForm):
    class Meta:
        model = SecuritySettings
        fields = ["require_two_factor"]


def check_new_username(username: str, *, instance: User | None = None) -> None:
    """Refuse a username another user has in any case ("Anna" when "anna" exists); the
    database holds the same rule (user_username_ci_unique)."""
    others = User.objects.filter(username__iexact=username)
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise forms.ValidationError(_("A user with that username already exists."), code="unique")
