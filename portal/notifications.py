"""In-app notifications: one per user and key, so a job that runs twice notifies once."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import ngettext

from portal.choices import Role
from portal.models import Notification, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@transaction.atomic
def notify(*, users: Iterable[User], key: str, title: str, body: str = "", url: str = "") -> int:
    """Send `title` to each user once per `key`; returns how many were new."""
    users = list(users)
    existing = set(
        Notification.objects.filter(user__in=users, key=key).values_list("user_id", flat=True)
    )
    new = [
        Notification(user=user, key=key, title=title, body=body, url=url)
        for user in users
        if user.pk not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    forget_todo_counts(note.user_id for note in new)
    return len(new)


def county_admins(county_code: str) -> QuerySet[User]:
    """The active administrators who act next for the county: its own department's, or,
    where the county has none, those of the nearest area above it that has (the city's,
    else the province's). A province is not told of each of its counties' hand-offs."""
    ancestors = [county_code[:n] for n in (2, 4, 6)]
    admins = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True, division_id__in=ancestors)
    # Codes are prefixes of each other: the longest, the nearest, sorts last.
    nearest = admins.order_by("-division_id").values("division_id")[:1]
    return admins.filter(division_id=Subquery(nearest))


@transaction.atomic
def notify_many(messages: Iterable[tuple[int, str, str, str, str]]) -> int:
    """Send many notifications in two queries: [(user_id, key, title, body, url)].
    Pairs (user, key) already sent are skipped; returns how many were new."""
    keys = {key for _user, key, *_rest in messages}
    existing = set(Notification.objects.filter(key__in=keys).values_list("user_id", "key"))
    new = [
        Notification(user_id=user_id, key=key, title=title, body=body, url=url)
        for user_id, key, title, body, url in messages
        if (user_id, key) not in existing
    ]
    # One INSERT on PostgreSQL however many there are (Django batches only for SQLite).
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    forget_todo_counts(note.user_id for note in new)
    return len(new)


def todo_count_key(user_id: int) -> str:
    """Where the menu's to-do count of a user is kept (home.todo computes and reads it)."""
    return f"todo-count:{user_id}"


def forget_todo_counts(user_ids: Iterable[int]) -> None:
    """Work changed hands: these users' menu counts are dropped, so the menu shows no
    count until their list is computed again rather than a count that is no longer true."""
    keys = [todo_count_key(pk) for pk in set(user_ids)]
    if keys:
        cache.delete_many(keys)


# --- Hand-offs: who acts next ----------------------------------------------------------------


class Actors(TypedDict, total=False):
    """Who of an area `next_actors` names, as its keyword arguments."""

    organizers: bool
    county: bool
    secretary: bool


def _in_area(code):
    """Users whose scope meets the area `code` (a village's, a township's or a county's):
    their division contains it or lies in it; a first secretary's village lies in it."""
    ancestors = [code[:n] for n in (2, 4, 6, 9) if n < len(code)]
    return Q(role=Role.FIRST_SECRETARY, village__code__startswith=code) | (
        ~Q(role=Role.FIRST_SECRETARY)
        & (Q(division_id__in=ancestors) | Q(division__code__startswith=code))
    )


def next_actors(
    code: str,
    *,
    organizers: bool = False,
    county: bool = False,
    secretary: bool = False,
    users: Iterable[User | int] = (),
) -> QuerySet[User]:
    """The active users who act next on an object of the area `code`: the township
    organizers of its township (of every township, for a county), the county's
    administrators, the first secretary posted to the village, and `users` (a task's
    assignee, a team's inspectors) - each only if the area is in their scope."""
    wanted = Q(pk__in=[getattr(user, "pk", user) for user in users])
    if organizers:
        wanted |= Q(role=Role.TOWNSHIP_ORGANIZER, division__code__startswith=code[:9])
    if county:
        wanted |= Q(pk__in=county_admins(code[:6]).values("pk"))
    if secretary:
        wanted |= Q(role=Role.FIRST_SECRETARY, village_id=code)
    return User.objects.filter(wanted, _in_area(code), is_active=True)


def place(village: Any) -> str:
    """A village as a notice names it: 梅厂镇大三庄村 (village names repeat across townships)."""
    return f"{village.township.name}{village.name}"


def handoff(
    *,
    acting_user: User,
    to: QuerySet[User],
    key: str,
    title: StrOrPromise,
    url: str,
    body: StrOrPromise = "",
    **params: Any,
) -> int:
    """Tell `to` (a queryset of users: `next_actors(...)`) that the work is theirs now, once per
    `key`, never the acting user himself. `title` is a lazy msgid formatted with `params`,
    written in the portal's language (not the actor's) since it is read by others; `url`
    is the object's page. Call it inside the service's transaction, after the change."""
    with translation.override(settings.LANGUAGE_CODE):
        title_msgid = str(title)
        title = title_msgid.format(**params)
        body = str(body)
    ids = to.exclude(pk=acting_user.pk).values_list("pk", flat=True)
    gathering = _gathering.get()
    if gathering is not None:
        recipients = list(ids)
        gathering.add(title_msgid, params, key, body, url, recipients)
        gathering.actors.add(acting_user.pk)
        return len(recipients)
    if connections[Notification.objects.db].vendor == "postgresql":
        new = _notify_selected(ids, key=key, title=title[:200], body=body, url=url)
        # The actor's own list changed too: the work he just did is off it.
        forget_todo_counts([acting_user.pk, *new])
        return len(new)
    forget_todo_counts([acting_user.pk])
    return notify_many([(user_id, key, title[:200], body, url) for user_id in ids])


def _notify_selected(ids: QuerySet, *, key: str, title: str, body: str, url: str) -> list[int]:
    """`notify_many` for the users `ids` selects, in one statement (PostgreSQL): the
    recipients are chosen and their notices written by INSERT … SELECT, those already sent
    this `key` skipped by the unique (user, key). Returns the users newly told."""
    connection = connections[Notification.objects.db]
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # a choice of nobody (`pk__in=[]`, `.none()`): Django compiles no SQL
        return []
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("user_id", "key", "title", "body", "url"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Notification._meta.db_table)} ({columns}, {quote('created_at')}) "
            f"SELECT recipient.id, %s, %s, %s, %s, %s FROM ({sql}) AS recipient (id) "
            f"ON CONFLICT DO NOTHING RETURNING {quote('user_id')}",
            [key, title, body, url, timezone.now(), *params],
        )
        return [user_id for (user_id,) in cursor.fetchall()]


# --- Many hand-offs at once: one notice per recipient ------------------------------------------


@dataclass
class Gathering:
    """The hand-offs of a batch (portal.bulk), kept until the batch ends: then each
    recipient is told once per kind of notice ("12 villages: the plan was approved"), not
    once per record. `url` is where a summary points (the list of what changed)."""

    url: str = ""
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    # (title msgid, params, key, body, url, recipient ids), in the order sent.
    entries: list = field(default_factory=list)
    # Whose to-do counts to forget at the end (once, not once a record).
    actors: set = field(default_factory=set)

    def add(self, title, params, key, body, url, ids):
        self.entries.append((title, params, key, body, url, ids))

    def mark(self) -> int:
        return len(self.entries)

    def forget_since(self, mark: int) -> None:
        """A record whose savepoint rolled back: its hand-offs never happened."""
        del self.entries[mark:]

    def messages(self) -> list[tuple[int, str, str, str, str]]:
        """One (user, key, title, body, url) per recipient and kind of notice."""
        groups: dict[tuple[int, str], list] = {}
        for entry in self.entries:
            for user_id in entry[5]:
                groups.setdefault((user_id, entry[0]), []).append(entry)
        out = []
        for (user_id, title), entries in groups.items():
            if len(entries) == 1 or any(set(e[1]) != {"place"} for e in entries):
                # One of its kind, or a notice that does not name a place: as it is.
                for _title, params, key, body, url, _ids in entries:
                    out.append((user_id, key, title.format(**params)[:200], body, url))
                continue
            places = list(dict.fromkeys(e[1]["place"] for e in entries))
            count = ngettext("%(count)d village", "%(count)d villages", len(places)) % {
                "count": len(places)
            }
            named = "、".join(places[:SUMMARY_PLACES])
            if len(places) > SUMMARY_PLACES:
                named += "……"
            bodies = {e[3] for e in entries}
            body = named + ("\n" + bodies.pop() if len(bodies) == 1 and "" not in bodies else "")
            urls = {e[4] for e in entries}
            url = urls.pop() if len(urls) == 1 else self.url
            key = f"batch:{self.token}:{zlib.crc32(title.encode())}"
            out.append((user_id, key, title.format(place=count)[:200], body, url))
        return out


# How many villages a summary notice names before "……".
SUMMARY_PLACES = 30
_gathering: ContextVar[Gathering | None] = ContextVar("handoffs_gathered", default=None)


@contextmanager
def gathered(*, url: str = "") -> Iterator[Gathering]:
    """Inside: `handoff` keeps its notices; on leaving, each recipient gets one per kind
    (written then, in the caller's transaction). For a batch of many records."""
    gathering = Gathering(url=url)
    reset = _gathering.set(gathering)
    try:
        yield gathering
    finally:
        _gathering.reset(reset)
    with translation.override(settings.LANGUAGE_CODE):
        notify_many(gathering.messages())
    forget_todo_counts(gathering.actors)
