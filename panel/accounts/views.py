from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from panel.audit.log import record

from .decorators import admin_required
from .forms import LoginForm, UserCreateForm
from .models import User


# Django's LoginView and PasswordChangeView already mark their password fields with
# sensitive_post_parameters (on dispatch), so error reports never show them.
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        record("auth.password_change", request=self.request)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@admin_required
def user_list(request):
    users = User.objects.order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


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
    return render(request, "accounts/user_create.html", {"form": form})
