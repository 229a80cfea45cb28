"""Django forms of the staff consent pages: they collect, the services judge."""

from __future__ import annotations

from django import forms


class TopicForm(forms.Form):
    key = forms.CharField(
        max_length=40,
        help_text="Lowercase letters, digits and _, e.g. gotv_texts. Used in links; never changes.",
        error_messages={"required": "Give the topic a key."},
    )
    name = forms.CharField(
        max_length=100,
        help_text="What supporters see on the unsubscribe page.",
        error_messages={"required": "Give the topic a name."},
    )
    description = forms.CharField(
        max_length=300, required=False, help_text="One line under the name, for supporters."
    )
    transactional = forms.BooleanField(
        required=False,
        label="Confirmations only",
        help_text="Messages about something the person asked for (a sign-up, an RSVP): sent "
        "without a subscription, but never past a do-not-contact or an opt-out.",
    )
