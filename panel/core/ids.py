"""Ids taken from a request: the one bounded parser every app uses.

Ids are 64-bit signed integers (BigAutoField; Terrahost's ids fit too). A database driver
raises OverflowError (SQLite) or DataError (PostgreSQL) for a larger number instead of
finding nothing, so text from a request becomes an id here or not at all: a page answers
"not found" or a form "Select a valid choice", never a 500.
"""

from __future__ import annotations

from django import forms

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(value) -> int | None:
    """`value` (text from a query string or a form) as an id, 0 to MAX_ID; None for
    anything else (signs, spaces, other digits than 0-9, a larger number)."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class IdField(forms.IntegerField):
    """An id in a form (e.g. a hidden field naming an upstream row): "Enter a whole
    number" for anything parse_id refuses."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(str(value).strip())
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class RowChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for which anything but an id is "Select a valid choice"."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField for which anything but ids is "Select a valid choice"."""

    def clean(self, value):
        for item in value if isinstance(value, list | tuple) else []:
            if parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], "invalid_choice", {"value": item}
                )
        return super().clean(value)
