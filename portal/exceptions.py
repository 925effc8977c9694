"""Errors that services raise and every front (page, API, command) must present the same way."""

from django.core.exceptions import ValidationError


class StaleEditError(ValidationError):
    """The record was changed by someone else since the form was loaded (409 in the API)."""


class TransitionError(ValidationError):
    """An action that the record's current state does not allow (409 in the API)."""


class ItemRefused(ValidationError):
    """One item of a bulk write was refused: `index` says which (an import names its line)."""

    def __init__(self, index: int, error: ValidationError):
        super().__init__(error.messages)
        self.index = index
