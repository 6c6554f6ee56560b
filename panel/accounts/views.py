from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from panel.audit.log import record

from . import throttle
from .forms import LoginForm


# Django's LoginView and PasswordChangeView already mark their password fields with
# sensitive_post_parameters (on dispatch), so error reports never show them.
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # From now on this browser passes the per-username limit (panel.accounts.throttle).
        throttle.remember_device(self.request, response, form.get_user().username)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal:
            response.status_code = 429  # Too Many Requests; the page says until when
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You are logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        record("auth.password_change", request=self.request)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
