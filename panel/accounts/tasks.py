from celery import shared_task

from . import sign_in_links


@shared_task(name="panel.accounts.tasks.prune_sign_in_links", ignore_result=True)
def prune_sign_in_links() -> int:
    """Forget one-time sign-in links that can no longer be used; returns how many."""
    return sign_in_links.prune()
