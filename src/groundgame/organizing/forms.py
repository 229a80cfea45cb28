from django import forms

from groundgame.organizing.models import StaffRole


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorCodeForm(forms.Form):
    """Six digits from the authenticator app, or (when signing in) a recovery code."""

    code = forms.CharField(
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class GrantRoleForm(forms.Form):
    """Give a role in this unit to someone who already has a staff account."""

    username = forms.CharField(max_length=150, label="Staff username")
    role = forms.ChoiceField(choices=StaffRole.Role.choices, initial=StaffRole.Role.ORGANIZER)


class NewStaffForm(forms.Form):
    """Create a staff account whose first role is in this unit."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(
        max_length=256,
        label="Temporary password",
        help_text="At least 12 characters; share it privately and ask them to change it.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(choices=StaffRole.Role.choices, initial=StaffRole.Role.ORGANIZER)
