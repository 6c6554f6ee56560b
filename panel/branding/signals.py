from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import remember_brand


@receiver(user_logged_in, dispatch_uid="branding-remember-brand")
def _remember(sender, request, user, **kwargs):
    if request is not None:
        remember_brand(user, request)
