"""The one way Relais hands a file to a browser: stored documents, generated PDFs and exports.

Every file is private (`Cache-Control: private, no-store`: no proxy or shared computer
keeps a bank attestation or a list of peacebuilders) and never content-sniffed. A
download also carries a sandbox policy, so an uploaded HTML or SVG file opened from
the downloads bar cannot run script on Relais' origin. Inline files (a PDF Relais
generates itself) keep the site's policy instead: Chrome refuses to run its PDF viewer
in a sandboxed document.
"""

from __future__ import annotations

from typing import IO, cast

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

PRIVATE_CACHE_CONTROL = "private, no-store"
SANDBOX_CSP = "default-src 'none'; sandbox"


def _private(response: HttpResponseBase, *, as_attachment: bool) -> HttpResponseBase:
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    if as_attachment:
        response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def private_file_response(file: IO[bytes], *, filename: str, content_type: str | None = None,
                          as_attachment: bool = True) -> FileResponse:
    """A stored file (FileResponse streams it and builds a safe Content-Disposition)."""
    response = FileResponse(file, as_attachment=as_attachment, filename=filename, content_type=content_type)
    _private(response, as_attachment=as_attachment)
    return response


def private_bytes_response(content: bytes, *, filename: str, content_type: str,
                           as_attachment: bool = True) -> HttpResponse:
    """Bytes generated for this request: a PDF, a CSV or XLSX export."""
    response = HttpResponse(content, content_type=content_type)
    # None only for an inline file without a name; every caller names its file.
    response["Content-Disposition"] = cast(str, content_disposition_header(as_attachment, filename))
    _private(response, as_attachment=as_attachment)
    return response
