"""A suspended customer's people get one plain page, whatever they ask for: pages, forms,
htmx polls (told to reload, so that the open page becomes that page) and downloads."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from .services import is_suspended_person

# They may still log out (and switch the language of the page that says why).
ALLOWED = ("accounts:logout", "set_language")


class SuspendedCustomerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not is_suspended_person(user) or request.path in {reverse(n) for n in ALLOWED}:
            return self.get_response(request)
        if getattr(request, "htmx", False):
            response = render(request, "customers/suspended.html", status=200)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "customers/suspended.html", status=403)
