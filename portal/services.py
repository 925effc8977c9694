"""Writes of the portal's own records: users and generated reports."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import exports
from portal.choices import LEVEL_LABELS, ReportStatus, Role
from portal.constraints import service_transaction
from portal.excel import XlsxTable
from portal.models import ApiToken, GeneratedReport, User
from portal.permissions import require
from portal.queue import send
from portal.roles import Perm, grants_of, may_grant
from portal.scoping import Scope

logger = logging.getLogger(__name__)

# --- Users -------------------------------------------------------------------------------


def _check_user_placement(*, acting_user, role, division, village):
    """A user may only be placed inside the acting user's own scope, in a sensible place,
    with a role the acting user may grant at that level (portal.roles.GRANTS)."""
    errors = {}
    scope = Scope.of(acting_user)
    grants = grants_of(acting_user)
    if role not in grants:
        errors["role"] = _("At your level you cannot grant the role “{role}”.").format(
            role=Role(role).label if role in Role.values else role
        )
    if division is None:
        errors["division"] = _("Choose the division this user works for.")
    elif not scope.contains(division.code):
        errors["division"] = _("You can only place users inside your own area.")
    elif role in grants and len(division.code) not in grants[role]:
        errors["division"] = _(
            "The role “{role}” can only be given to a user of: {levels}."
        ).format(
            role=Role(role).label,
            levels="、".join(str(LEVEL_LABELS[n]) for n in sorted(grants[role])),
        )
    if role == Role.FIRST_SECRETARY:
        if village is None:
            errors["village"] = _("A first secretary must be attached to a village.")
        elif not scope.contains(village.code):
            errors["village"] = _("You can only place users inside your own area.")
        elif division is not None and not village.code.startswith(division.code):
            errors["village"] = _("The village is not in the chosen division.")
    elif village is not None:
        errors["village"] = _("Only a first secretary is attached to a village.")
    if errors:
        raise ValidationError(errors)


def may_manage(acting_user: User, user: User) -> bool:
    """Whether `acting_user` may change `user` (who is in his scope): himself (his details
    only), or someone whose role and level he could have granted."""
    if user.pk == acting_user.pk:
        return acting_user.has_role_perm(Perm.USER_MANAGE)
    return may_grant(acting_user, user.role, user.division_id)


def _set_password(user, password):
    """Django's password rules (length, common, numeric, like the user name), by field."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)


@service_transaction
def user_create(
    *,
    acting_user: User,
    username: str,
    password: str,
    role: str,
    division: Any,
    village: Any = None,
    display_name: str = "",
    phone: str = "",
) -> User:
    """Create a user inside the acting user's scope, with a role he may grant there."""
    require(acting_user, Perm.USER_MANAGE)
    _check_user_placement(acting_user=acting_user, role=role, division=division, village=village)
    user = User(
        username=username,
        role=role,
        division=division,
        village=village if role == Role.FIRST_SECRETARY else None,
        display_name=display_name,
        phone=phone,
    )
    _set_password(user, password)
    user.full_clean()
    user.save()
    logger.info("user %s created by %s", user.username, acting_user.username)
    return user


@service_transaction
def user_update(
    *,
    user: User,
    acting_user: User,
    role: str,
    division: Any,
    village: Any = None,
    display_name: str = "",
    phone: str = "",
    is_active: bool = True,
    password: str = "",
) -> User:
    """Change a user's role, place or details; the user must stay inside the acting scope,
    with a role the acting user may grant there."""
    require(acting_user, Perm.USER_MANAGE)
    user = User.objects.visible_to(Scope.of(acting_user)).select_for_update().get(pk=user.pk)
    if not may_manage(acting_user, user):
        raise PermissionDenied(
            _("At your level you cannot manage a user with the role “{role}”.").format(
                role=user.role_title
            )
        )
    if user.pk == acting_user.pk:
        # Nobody raises his own role or moves himself (out of his scope or within it).
        if role != user.role or division != user.division or not is_active:
            raise ValidationError(_("You cannot change your own role, division or status."))
    else:
        _check_user_placement(
            acting_user=acting_user, role=role, division=division, village=village
        )
    user.role = role
    user.division = division
    user.village = village if role == Role.FIRST_SECRETARY else None
    user.display_name = display_name
    user.phone = phone
    user.is_active = is_active
    if password:
        _set_password(user, password)
    user.full_clean()
    user.save()
    return user


# --- Exports and generated reports -------------------------------------------------------


@dataclass
class ExportOutcome:
    """Either a finished file (small export) or a queued report (large export)."""

    report: GeneratedReport | None = None
    content: io.BytesIO | None = None
    filename: str = ""


def _params_dict(params):
    """A QueryDict as a plain dict of lists, safe to store as JSON and to filter with."""
    if hasattr(params, "lists"):
        return {key: values for key, values in params.lists() if key != "page"}
    return dict(params)


def _filename(export):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{export.filename!s}-{stamp}.xlsx"


def _write(export, queryset, fileobj, *, user, on_progress=None, total=None):
    table = XlsxTable(
        sheet_title=export.title,
        title=export.heading(user) if export.heading else export.title,
        columns=export.columns,
        groups=export.groups,
        numbered=export.numbered,
    )
    step = max(1, (total or 0) // 50) if on_progress else 0
    for obj in queryset.iterator(chunk_size=2000):
        table.append(obj)
        if step and table.rows % step == 0:
            on_progress(table.rows)
    table.save(fileobj)
    return table.rows


def export_write(
    fileobj: IO[bytes], *, kind: str, params: Mapping[str, Any], acting_user: User
) -> int:
    """Write a filtered list's workbook to `fileobj` now, whatever its size (what the
    background report does; also the benchmark's measure). Returns the number of rows."""
    export = exports.get(kind)
    queryset = export.queryset(Scope.of(acting_user), _as_querydict(_params_dict(params)))
    return _write(export, queryset, fileobj, user=acting_user)


def export_start(*, kind: str, params: Mapping[str, Any], acting_user: User) -> ExportOutcome:
    """Export a filtered list: in the request when small, as a background report when large."""
    export = exports.get(kind)
    params = _params_dict(params)
    queryset = export.queryset(Scope.of(acting_user), _as_querydict(params))
    total = queryset.count()
    if total <= settings.EXPORT_SYNC_MAX_ROWS:
        content = io.BytesIO()
        _write(export, queryset, content, user=acting_user)
        content.seek(0)
        return ExportOutcome(content=content, filename=_filename(export))
    report = GeneratedReport.objects.create(
        kind=kind,
        title=str(export.title),
        params=params,
        scope_code=Scope.of(acting_user).prefix or "",
        requested_by=acting_user,
        row_count=total,
    )
    report_queue(report)
    return ExportOutcome(report=report)


def report_queue(report: GeneratedReport) -> GeneratedReport:
    """The one way a request asks for a report to be built: the pending row is the durable
    record, and it is sent once the transaction commits. With Redis down the page still
    answers at once: the report stays pending and `reports_resend` (every five minutes)
    sends it when Redis is back. A failed report asked for again starts over as pending,
    so that the sweeper finds it too."""
    if report.status == ReportStatus.FAILED:
        GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
            status=ReportStatus.PENDING, progress=0, error="", finished_at=None
        )
        report.refresh_from_db()
    transaction.on_commit(partial(report_send, report.pk))
    return report


def report_send(report_id: int) -> bool:
    """Hand a recorded report to the workers now; False (and it stays pending) when Redis
    cannot take it within about a second (portal.queue.send). The task is named, not
    imported: portal.tasks wraps these services."""
    return send("portal.tasks.build_report", (report_id,))


def report_start(*, report_id: int) -> bool:
    """Hand a recorded report to the workers from a job, where nobody waits for a page:
    sent to the `reports` queue; without workers (tasks in-process: `make run`, the tests,
    the benchmarks) built here and now, in parts where it has them. False when Redis
    cannot take it (it stays pending for the sweeper)."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        current_app.tasks["portal.tasks.build_report"].apply((report_id,), throw=True)
        return True
    return report_send(report_id)


def reports_resend(*, older_than_minutes: int = 2) -> int:
    """Send again the reports still pending after a while (sent while the broker was down,
    or lost with it). A report built twice is built once: report_build is idempotent."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    pending = GeneratedReport.objects.filter(
        status=ReportStatus.PENDING, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(pending) if report_send(pk))


def _as_querydict(params):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values if isinstance(values, list) else [values])
    return query


def report_build(*, report_id: int, parts: list[Any] | None = None) -> GeneratedReport | None:
    """Build a queued report's file. Idempotent: a finished report is left as it is, and a
    report a dead worker left half-built is built again from the start. With `parts` (the
    results of report_build_part, in the order of report_parts' keys) the workbook is
    joined from them; a missing part (None: it failed) fails the report."""
    report = GeneratedReport.objects.select_related("requested_by").filter(pk=report_id).first()
    if report is None or report.status == ReportStatus.DONE:
        return report
    running: dict[str, Any] = {"status": ReportStatus.RUNNING, "progress": 0, "error": ""}
    if parts is None:  # built in parts, it started when they did (report_parts)
        running["started_at"] = timezone.now()
    else:
        running["progress"] = 90
    GeneratedReport.objects.filter(pk=report.pk).update(**running)

    def set_progress(percent):
        # Written straight to the row so the progress bar moves while the file is built.
        GeneratedReport.objects.filter(pk=report.pk).update(progress=min(99, percent))

    builder = exports.BUILDERS.get(report.kind)
    try:
        with tempfile.TemporaryFile() as handle:
            if builder is not None and parts is not None:
                if any(part is None for part in parts):
                    raise ValueError(f"report {report.pk}: a part failed, see its log")
                assert builder.join is not None, "only a report built in parts has parts"
                rows = builder.join(report, parts, handle, set_progress)
                filename = _filename(builder)
            elif builder is not None:
                rows = builder.build(report, handle, set_progress)
                filename = _filename(builder)
            else:
                export = exports.get(report.kind)
                queryset = export.queryset(
                    Scope.of(report.requested_by), _as_querydict(report.params)
                )
                total = queryset.count()
                rows = _write(
                    export,
                    queryset,
                    handle,
                    user=report.requested_by,
                    on_progress=lambda done: set_progress(done * 100 // max(total, 1)),
                    total=total,
                )
                filename = _filename(export)
            handle.seek(0)
            report.refresh_from_db()
            report.file.save(filename, File(handle), save=False)
    except Exception:
        logger.exception("report %s failed", report.pk)
        GeneratedReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            error=_(
                "The report could not be built. Please try again or contact the administrator."
            ),
            finished_at=timezone.now(),
        )
        # Not re-raised: a broken export is not a transient error, retrying cannot help,
        # and the user sees the failure on the report's page.
        return GeneratedReport.objects.get(pk=report.pk)
    report.status = ReportStatus.DONE
    report.progress = 100
    report.row_count = rows
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "progress", "row_count", "finished_at"])
    if builder is not None and builder.done is not None:
        builder.done(report)
    return report


def report_parts(*, report_id: int) -> list[str]:
    """The keys of the parts a report is built from, one task each, by as many workers as
    there are (a province's quarterly report: its counties), the report marked running;
    [] when it is built in one task: a list export, a report of one part, one finished or
    gone."""
    report = GeneratedReport.objects.filter(pk=report_id).first()
    if report is None or report.status == ReportStatus.DONE:
        return []
    builder = exports.BUILDERS.get(report.kind)
    if builder is None or builder.parts is None:
        return []
    keys = [str(key) for key in builder.parts(report)]
    if len(keys) < 2:
        return []
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), progress=0, error=""
    )
    return keys


def report_build_part(*, report_id: int, key: str, position: int = 0, total: int = 1) -> Any:
    """One part of a report built in parts (report_parts' `key`, the `position`-th of
    `total`), as plain data for report_build to join; None when it fails (logged: the
    join then fails the report) or the report is gone. The progress bar follows the
    parts, which the workers take in order, up to 90 %."""
    report = GeneratedReport.objects.filter(pk=report_id).first()
    builder = exports.BUILDERS.get(report.kind) if report is not None else None
    if report is None or builder is None or builder.build_part is None:
        return None
    try:
        part = builder.build_part(report, key)
    except Exception:
        logger.exception("report %s: part %s failed", report.pk, key)
        return None
    GeneratedReport.objects.filter(pk=report.pk, status=ReportStatus.RUNNING).update(
        progress=Greatest(F("progress"), 90 * (position + 1) // max(total, 1))
    )
    return part


def reports_purge_expired(*, now: datetime | None = None) -> int:
    """Delete generated reports, and their files, older than REPORT_RETENTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORT_RETENTION_DAYS)
    deleted = 0
    for report in GeneratedReport.objects.filter(created_at__lt=cutoff).iterator():
        if report.file:
            report.file.delete(save=False)
        report.delete()
        deleted += 1
    return deleted


# --- API tokens ----------------------------------------------------------------------------

# A token's last use is written at most this often: a script's every call is not a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, acting_user: User, name: str) -> tuple[ApiToken, str]:
    """A new key for `acting_user`'s scripts: (token, key). The key is returned this once
    and never kept: only its digest is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=acting_user, name=name, prefix=key[:8], digest=api_token_digest(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, acting_user: User, token_id: int) -> None:
    """Revoke one of `acting_user`'s own tokens: it is refused from now on. Another
    user's token is not found (404), whoever asks."""
    deleted, _rows = ApiToken.objects.filter(pk=token_id, user=acting_user).delete()
    if not deleted:
        raise Http404


def api_token_user(*, key: str, request: HttpRequest) -> User | None:
    """The user a script authenticates as with `key`, or None: an unknown or revoked key,
    an inactive user, or a user name locked out after failed logins (django-axes) is
    refused like a wrong password. The token's scope is its user's, nothing more."""
    from axes.handlers.proxy import AxesProxyHandler

    token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
    if token is None or not token.user.is_active:
        return None
    if AxesProxyHandler.is_locked(request, {"username": token.user.get_username()}):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
