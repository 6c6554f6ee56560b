from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from panel.accounts.forms import check_new_username
from panel.accounts.models import User
from panel.customers.services import is_full
from panel.servers.forms import ConfirmForm

LABELS = {
    "is_panel_admin": _("Panel admin"),
    "customer": _("Belongs to"),
    "customer_role": _("Role at the customer"),
    "managed_customers": _("Limited to customers"),
}
HELP_TEXTS = {
    "is_panel_admin": _("Manages connections, users, teams and branding, and sees every server."),
    "customer": _(
        "Your own staff, or one of your customers: a customer's people only ever see that "
        "customer's servers."
    ),
    "customer_role": _(
        "Only for a customer's people. A customer admin manages their company's people, "
        "teams and access; a member uses what they are given."
    ),
    "managed_customers": _(
        "Only for your own staff who are not panel admins: they run these customers' "
        "people, teams and servers as the customers' admins would, and see no other customer."
    ),
}


class UserFields(forms.ModelForm):
    """What an admin sets on a user; the username is unique regardless of case. A user is
    reseller staff or one of a customer's people (with a role there)."""

    # Only asked of a customer's people: left out, a member.
    customer_role = forms.TypedChoiceField(
        choices=User.CustomerRole.choices,
        required=False,
        initial=User.CustomerRole.MEMBER,
        empty_value=User.CustomerRole.MEMBER,
        widget=forms.RadioSelect,
        label=LABELS["customer_role"],
        help_text=HELP_TEXTS["customer_role"],
    )

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "is_panel_admin",
            "customer",
            "customer_role",
            "managed_customers",
        ]
        labels = LABELS
        help_texts = HELP_TEXTS
        widgets = {"managed_customers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].empty_label = _("Reseller staff (no customer)")
        if not self.fields["managed_customers"].queryset.exists():
            del self.fields["managed_customers"]  # a panel without customers

    def clean_username(self):
        username = self.cleaned_data["username"]
        check_new_username(username, instance=self.instance)
        return username

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if data.get("managed_customers"):
            if customer is not None:
                self.add_error(
                    "managed_customers",
                    _("Only your own staff are limited to customers. Choose Reseller staff."),
                )
            elif data.get("is_panel_admin") or self.instance.is_superuser:
                self.add_error(
                    "managed_customers",
                    _(
                        "A panel admin runs every customer. Untick Panel admin, or leave "
                        "every customer unticked."
                    ),
                )
        if customer is None:
            return data
        if data.get("is_panel_admin") or self.instance.is_superuser:
            self.add_error(
                "customer",
                _(
                    "A customer's people cannot be panel admins. Untick Panel admin, or "
                    "choose Reseller staff."
                ),
            )
        elif customer.pk != self.instance.customer_id and is_full(customer):
            self.add_error(
                "customer",
                _(
                    "%(name)s already has its maximum of %(count)d users. Raise the maximum "
                    "on the customer's page, or remove someone first."
                )
                % {"name": customer.name, "count": customer.max_users},
            )
        return data


class UserCreateForm(UserFields):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The user can change it after logging in."),
    )

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
            self.save_m2m()
        return user


class UserEditForm(UserFields):
    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone must stay admin: nobody takes away their own admin flag (another admin
        # can). A superuser is an admin whatever the flag says (User.save).
        field = self.fields["is_panel_admin"]
        if self.instance == editor:
            field.disabled = True
            field.help_text = _("You cannot remove your own admin rights; another admin can.")
        elif self.instance.is_superuser:
            field.disabled = True
            field.help_text = _("A superuser is always a panel admin.")


class DeleteForm(ConfirmForm):
    """Deleting a user is confirmed by typing their username, as a server's name is
    typed before it is reinstalled (panel.servers.forms.ConfirmForm)."""

    confirm_name = forms.CharField(label=_("Type the username to confirm"), max_length=150)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, server_name=user.get_username(), **kwargs)

    def clean_confirm_name(self):
        try:
            return super().clean_confirm_name()
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Type “%(name)s” exactly, to show you mean this user."),
                params={"name": self.server_name},
            ) from None
