"""Evidence files: the type is read from the content, never trusted from the name.

Allowed: PDF, JPEG, PNG, and Word / Excel files of Office 2007 and later (.docx, .xlsx).
A file whose content is not one of these, or whose name claims another type, is refused.
"""

import zipfile

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Attachment
from portal.uploads import check_zip_directory

KINDS = {
    "pdf": (".pdf",),
    "jpeg": (".jpg", ".jpeg"),
    "png": (".png",),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
}


def sniff(head, handle):
    """The file's real type from its first bytes (and, for Office files, its parts).

    A zip with an oversized directory is refused with a ValidationError, not read."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        # zipfile reads the whole directory on opening: bound it first (ValidationError).
        check_zip_directory(handle)
        try:
            names = set(zipfile.ZipFile(handle).namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def check_upload(upload):
    """The upload's kind, or a ValidationError in the user's language."""
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than {mb} MB.").format(mb=settings.ATTACHMENT_MAX_MB)}
        )
    upload.seek(0)
    try:
        kind = sniff(upload.read(16), upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            {"file": _("Only PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) files are accepted.")}
        )
    if not upload.name.lower().endswith(KINDS[kind]):
        raise ValidationError(
            {"file": _("The file's name does not match its content ({kind}).").format(kind=kind)}
        )
    return kind


@transaction.atomic
def attachment_add(*, record, scope_code, upload, acting_user):
    """Attach an evidence file to a record the caller has already found in their scope."""
    kind = check_upload(upload)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        scope_code=scope_code,
        original_name=upload.name[-200:],
        kind=kind,
        size=upload.size,
        uploaded_by=acting_user,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


def attachments_of(record):
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("uploaded_by")
