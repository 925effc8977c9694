"""Validators shared by the model fields, so that a page, the API and an import refuse the
same values with the same words (full_clean() and ModelSerializer both run them)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A mainland mobile number (11 digits from 13…–19…), or a landline with its area code
# (010, 022, 0532 …), an optional dash, the 7- or 8-digit local number (never starting with
# 0 or 1) and an optional extension after a dash: 022-29391234, 0532-88881234-801.
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?)$")


def validate_phone(value):
    """A Chinese mobile or landline number, written as officials write it."""
    if not PHONE.match(value or ""):
        raise ValidationError(
            _(
                "Enter a mobile number (11 digits, e.g. 13812345678) or a landline with its "
                "area code (e.g. 022-29391234, or 0532-88881234-801 with an extension)."
            ),
            code="invalid_phone",
        )
