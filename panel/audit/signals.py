"""Logins, logouts and failed logins land in the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .log import record
from .models import AuditEntry


@receiver(user_logged_in, dispatch_uid="audit-login")
def logged_in(sender, request, user, **kwargs):
    record("auth.login", request=request, actor=user)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` is already cleansed by Django (the password masked); only the name
    # that was typed is kept.
    record(
        "auth.login_failed",
        request=request,
        actor_name=str(credentials.get("username", ""))[:150],
        result=AuditEntry.Result.REFUSED,
        message="Wrong username or password.",
    )
