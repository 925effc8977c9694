"""Every upload is bounded before it is read.

Two things read an upload before any app code decides about it, and both are bounded here:

- Django reads the request body to find the files. `UploadLimitMiddleware` refuses a body
  whose Content-Length is larger than the largest upload allowed, before a byte is read.
- `zipfile` reads a zip's whole directory when it opens one (an .xlsx, a .docx): a 10 MB
  file can hold 200,000 entries. `check_zip_directory` reads the zip's end record first
  and refuses a directory larger than `UPLOAD_MAX_ZIP_MEMBERS` entries.

What is inside a workbook (unzipped sizes, rows, cells) is bounded where it is read, in
portal/imports.py.
"""

import os
import struct

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

MB = 1024 * 1024
# The form's other fields and the multipart framing, on top of the largest file.
FORM_ALLOWANCE = MB

_END = b"PK\x05\x06"
_END_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
# A directory entry is 46 bytes and the part's name; Office parts' names are short.
_ENTRY_BYTES = 256


def largest_upload():
    """The largest request body the portal accepts, in bytes."""
    return max(settings.IMPORT_MAX_MB, settings.ATTACHMENT_MAX_MB) * MB + FORM_ALLOWANCE


def megabytes(size):
    return f"{size / MB:,.1f}"


class UploadLimitMiddleware:
    """Refuse a request body larger than any upload allowed, from its Content-Length.

    Django would otherwise read the whole body (to disk, for files) before a view could
    check the file's size: a 2 GB upload would hold a worker for as long as it takes to
    send. A body without a Content-Length is not read by Django at all. JSON under /api/.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = largest_upload()
        if length > limit:
            message = _(
                "The upload is {size} MB; the portal accepts at most {limit} MB. Nothing was "
                "read or saved: go back and choose a smaller file."
            ).format(size=megabytes(length), limit=megabytes(limit))
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


def check_zip_directory(handle):
    """Refuse a zip whose directory is larger than UPLOAD_MAX_ZIP_MEMBERS entries.

    Reads only the end record (the last 22 bytes, or up to 64 KB of comment before them),
    as zipfile would, and leaves the handle at the start. Raises ValidationError.
    """
    limit = settings.UPLOAD_MAX_ZIP_MEMBERS
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail = min(size, _END_SIZE + 0xFFFF)
    handle.seek(size - tail)
    data = handle.read(tail)
    handle.seek(0)
    at = data.rfind(_END)
    if at < 0 or len(data) - at < _END_SIZE:
        return  # not a zip: zipfile will say so
    entries, directory_size = struct.unpack("<HI", data[at + 10 : at + 16])
    if entries > limit:
        raise ValidationError(
            _("The file holds {count} parts; at most {limit} are accepted.").format(
                count=entries, limit=limit
            )
        )
    # A ZIP64 record would override these figures; Office never needs one below 4 GB.
    zip64 = at >= 20 and data[at - 20 : at - 16] == _ZIP64_LOCATOR
    if zip64 or directory_size > limit * _ENTRY_BYTES:
        raise ValidationError(
            _(
                "The file's table of contents is unusual; open it in Excel, WPS or Word, "
                "save it again and upload that."
            )
        )
