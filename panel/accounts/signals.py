"""A new person, however they came (added by an admin, an invitation accepted, a
management command, the API), is announced as "user.joined" for webhooks."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from panel.core import events

from .models import User


@receiver(post_save, sender=User, dispatch_uid="accounts-user-joined")
def joined(sender, instance: User, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    facts = {
        "id": instance.pk,
        "username": instance.username,
        "email": instance.email,
        "role": instance.customer_role if instance.customer_id else None,
    }
    events.announce("user.joined", {"user": facts}, customer_id=instance.customer_id)
