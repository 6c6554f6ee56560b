from django import forms
from django.contrib.auth import get_user_model

from .models import Membership, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description"]
        help_texts = {"description": "Optional: who is in it, what it is for."}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Team.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("There is already a team with this name.")
        return name


class MemberForm(forms.Form):
    """Add an existing user to a team. (Inviting someone new by e-mail is not here yet: an
    accepted invitation should end in teams.services.add_member too.)"""

    username = forms.CharField(
        max_length=150, help_text="The username of someone who already has a login here."
    )
    role = forms.ChoiceField(
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text="A team manager can add and remove members and give the team access, "
        "but only permissions they hold themselves.",
    )

    def __init__(self, *args, team: Team, **kwargs):
        self.team = team
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError("No user has this username.")
        self.cleaned_data["user"] = user
        return user.username

    def clean(self):
        data = super().clean()
        user = data.get("user") or self.cleaned_data.get("user")
        if user is not None and self.team.memberships.filter(user=user).exists():
            self.add_error("username", f"{user.username} is already in this team.")
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
