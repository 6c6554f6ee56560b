from django import forms
from django.contrib.auth import password_validation

from panel.accounts.forms import check_new_username
from panel.accounts.models import User


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="The user can change it after logging in.",
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_panel_admin"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        check_new_username(username, instance=self.instance)
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = User(username=self.cleaned_data.get("username", ""))
        password_validation.validate_password(password, user)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user
