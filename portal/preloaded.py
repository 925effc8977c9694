"""Records a batch has already loaded and locked in the current transaction, for the
services it calls: a service that would lock its record again takes it from here instead
(one statement a record fewer, in a batch of a thousand). Outside a batch: nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_records: ContextVar[Mapping[Any, Any] | None] = ContextVar("preloaded_records", default=None)


@contextmanager
def preloaded(records: Mapping[Any, Any]) -> Iterator[None]:
    """Inside: `locked(record)` answers for these records ({pk: record}), loaded with
    SELECT … FOR UPDATE within the caller's scope, in the current transaction."""
    reset = _records.set(records)
    try:
        yield
    finally:
        _records.reset(reset)


def locked(record: Any) -> bool:
    """Whether `record` is itself (the same object) one the batch loaded and locked."""
    records = _records.get()
    return records is not None and records.get(record.pk) is record
