from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from panel.accounts.decorators import admin_required
from panel.accounts.models import User
from panel.audit.log import record

from .forms import UserCreateForm


@admin_required
def user_list(request):
    users = User.objects.order_by("username")
    return render(request, "users/user_list.html", {"users": users})


@sensitive_post_parameters("password")
@admin_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        details = {"user": user.username, "panel admin": user.is_panel_admin}
        record("user.create", request=request, details=details)
        messages.success(request, f"User {user.username} was created.")
        return redirect("grants:user", user_id=user.pk)
    return render(request, "users/user_create.html", {"form": form})
