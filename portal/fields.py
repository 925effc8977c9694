"""Model fields shared by the apps: free text with a length the services enforce, and
telephone numbers."""

from django.core.validators import MaxLengthValidator
from django.db import models

from portal.validators import validate_phone

# A text area (problems, measures, minutes, a finding, a comment): room for any ledger cell
# or note, but not for a pasted file. Forms, the API and full_clean() all refuse longer.
LONG_TEXT_MAX = 5000
# A circular's body is drafted from all of a round's findings: a county with hundreds of
# them still fits (about a hundred printed pages).
DOCUMENT_TEXT_MAX = 200000


def long_text(verbose_name, *, max_length=LONG_TEXT_MAX, **kwargs):
    """A TextField whose limit holds everywhere: Django checks a TextField's max_length only
    in forms, so the validator makes the services' full_clean() check it too."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


def phone_field(verbose_name, **kwargs):
    """A telephone number, optional, checked by validate_phone wherever it is written."""
    return models.CharField(
        verbose_name, max_length=20, blank=True, validators=[validate_phone], **kwargs
    )
