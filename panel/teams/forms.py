from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panel.accounts.forms import check_new_username
from panel.accounts.models import User

from .models import Invitation, Membership, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description", "customer"]
        labels = {"name": _("Name"), "description": _("Description"), "customer": _("Customer")}
        help_texts = {
            "description": _("Optional: who is in it, what it is for."),
            "customer": _("Its members will all be people of this customer."),
        }

    def __init__(self, *args, customers=None, customer=None, staff_team=True, **kwargs):
        """`customers`: those the team may belong to (a panel admin: every one; staff limited
        to customers: theirs, and then `staff_team` is False: it must be one of them);
        None: the team is `customer`'s (a customer admin's own) or the staff's."""
        super().__init__(*args, **kwargs)
        self.customer = customer
        field = self.fields["customer"]
        if customers is None or not customers.exists():
            del self.fields["customer"]  # a customer admin, or a panel without customers
            return
        field.queryset = customers
        field.required = not staff_team
        field.empty_label = gettext("None: a team of the reseller's staff") if staff_team else None

    def clean(self):
        data = super().clean()
        name = data.get("name")
        customer = data.get("customer") if "customer" in self.fields else self.customer
        if name and not self.has_error("customer"):
            others = Team.objects.filter(name__iexact=name, customer=customer)
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error("name", _("There is already a team with this name."))
        return data

    def clean_name(self):
        return self.cleaned_data["name"].strip()


def _role_field():
    return forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=_(
            "A team manager can add and remove members and give the team access, "
            "but only permissions they hold themselves."
        ),
    )


class MemberForm(forms.Form):
    """Add an existing user to a team (someone without a login: InvitationForm)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The username of someone who already has a login here."),
    )
    role = _role_field()

    def __init__(self, *args, team: Team, **kwargs):
        self.team = team
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        # Only people of the team's own customer (or, for a staff team, staff): anyone else
        # gets word for word the answer for a name nobody has.
        people = User.objects.filter(customer_id=self.team.customer_id)
        user = people.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(_("No user has this username."))
        self.cleaned_data["user"] = user
        return user.username

    def clean(self):
        data = super().clean()
        user = data.get("user") or self.cleaned_data.get("user")
        if user is not None and self.team.memberships.filter(user=user).exists():
            self.add_error(
                "username",
                gettext("%(username)s is already in this team.") % {"username": user.username},
            )
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = _role_field()
    customer_admin = forms.BooleanField(required=False)

    def __init__(self, *args, team: Team, may_make_customer_admin: bool = False, **kwargs):
        self.team = team
        # Ids of its own: MemberForm on the same page has a "role" too.
        super().__init__(*args, auto_id="invitation-%s", **kwargs)
        if team.customer_id is None or not may_make_customer_admin:
            del self.fields["customer_admin"]  # a staff team, or a plain team manager
        else:
            field = self.fields["customer_admin"]
            field.label = gettext("Also an admin of %(customer)s") % {
                "customer": team.customer.name
            }
            field.help_text = _(
                "They then run the customer's teams, people and access, within what the "
                "customer may have."
            )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if self.team.invitations.pending().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An invitation to this address is waiting already. Revoke it to send a new one.")
            )
        return email


class JoinForm(BaseUserCreationForm):
    """The username and password of someone accepting an invitation (their e-mail address
    is the invitation's)."""

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ["username"]

    def __init__(self, *args, invitation: Invitation, **kwargs):
        # The e-mail address is set before the password checks, which compare against it.
        # The invitee joins the customer of the team they are invited to.
        role = User.CustomerRole.ADMIN if invitation.customer_admin else User.CustomerRole.MEMBER
        new_user = User(
            email=invitation.email, customer_id=invitation.team.customer_id, customer_role=role
        )
        super().__init__(*args, instance=new_user, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"]
        check_new_username(username)
        return username

    def _post_clean(self):
        super()._post_clean()
        # A username that is taken must not cost the passwords too: when they passed every
        # check they are shown again (the page is never cached).
        if not self.has_error("password1") and not self.has_error("password2"):
            for name in ("password1", "password2"):
                self.fields[name].widget.render_value = True
