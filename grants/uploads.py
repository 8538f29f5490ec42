"""Check an uploaded document by its content, not its name (PDF, JPEG, PNG, DOCX, XLSX).

Temporary: the lead will merge this with orgs/uploads.py.
"""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def validate_upload(upload) -> str:
    """Return the sniffed MIME type or raise ValidationError with a readable message."""
    limit = settings.RELAIS_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("The file is too large (maximum %(max)s).") % {"max": filesizeformat(limit)})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(_("Accepted documents: PDF, JPEG, PNG, Word (DOCX) or Excel (XLSX)."))
    return kind.mime
