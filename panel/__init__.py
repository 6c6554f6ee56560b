"""The Django project of the panel."""

from .celery import app as celery_app

__all__ = ["celery_app"]
