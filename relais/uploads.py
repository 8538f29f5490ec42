"""Checking uploaded files from their content, not their name.

``validate_upload(file)`` is the one gate for every private upload (CSO due
diligence documents now, grant attachments later). It refuses, with a reason a
person can read, empty and oversized files, programs, HTML pages and anything
whose bytes are not one of the accepted types, and files whose name does not
agree with what they contain. DOCX and XLSX are ZIP archives: ``check_archive``
refuses those that would unpack to far more than an ordinary document.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any, cast

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DetectedType:
    extension: str  # canonical, without dot: "pdf", "jpg", "png", "docx", "xlsx"
    content_type: str
    label: str


PDF = DetectedType("pdf", "application/pdf", "PDF")
JPEG = DetectedType("jpg", "image/jpeg", "JPEG")
PNG = DetectedType("png", "image/png", "PNG")
DOCX = DetectedType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)")
XLSX = DetectedType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)")

# File-name extensions each accepted type may carry.
EXTENSIONS = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG, "docx": DOCX, "xlsx": XLSX}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in EXTENSIONS)

# What we call the things we refuse, by filetype's extension.
_KNOWN_NAMES = {
    "exe": _("a Windows program"),
    "elf": _("a Linux program"),
    "mach": _("a macOS program"),
    "dmg": _("a macOS disk image"),
    "zip": _("a ZIP archive"),
    "rar": _("a RAR archive"),
    "7z": _("a 7-Zip archive"),
    "gz": _("a compressed archive"),
    "gif": _("a GIF image"),
    "webp": _("a WebP image"),
    "bmp": _("a BMP image"),
    "tif": _("a TIFF image"),
    "heic": _("a HEIC photo"),
    "doc": _("an old Word document (DOC)"),
    "xls": _("an old Excel workbook (XLS)"),
    "ppt": _("a PowerPoint presentation"),
    "pptx": _("a PowerPoint presentation"),
    "odt": _("an OpenDocument text"),
    "ods": _("an OpenDocument spreadsheet"),
    "mp3": _("an audio file"),
    "mp4": _("a video"),
    "rtf": _("an RTF document"),
}
_PROGRAMS = {"exe", "elf", "mach", "dmg"}
_SCRIPT_MARKERS = (b"#!", b"@echo", b"<?php")
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<svg", b"<?xml")


def _accepted_list() -> str:
    return "PDF, JPEG, PNG, DOCX, XLSX"


def _name_of(extension: str) -> str:
    return str(_KNOWN_NAMES.get(extension, _("a %(kind)s file") % {"kind": extension.upper()}))


def _read_all(file: File[bytes] | IO[bytes]) -> bytes:
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if hasattr(file, "seek"):
        file.seek(0)
    return data


# An ordinary document has a few dozen parts; a few hundred for a workbook with many sheets.
MAX_ARCHIVE_ENTRIES = 10_000
# Office XML compresses about 10:1; a part much larger than that is padding made to unpack (a zip bomb).
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small parts (styles, shared strings of a short sheet) may compress better


def check_archive(archive: zipfile.ZipFile, *, max_uncompressed: int | None = None) -> None:
    """Refuse a ZIP whose parts would unpack to too much, from its directory alone.

    The sizes are those the directory declares; Python's zipfile (which openpyxl reads
    through) never returns more than the declared size of a part and checks its CRC, so a
    directory that lies gives a damaged file, not a bomb.
    """
    limit = max_uncompressed if max_uncompressed is not None else settings.RELAIS_UPLOAD_MAX_UNCOMPRESSED_BYTES
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise ValidationError(
            _("This file holds more than %(max)s parts, which no ordinary document does. Save it again from "
              "Word or Excel, or as a PDF, and try again."),
            params={"max": MAX_ARCHIVE_ENTRIES}, code="archive_entries",
        )
    total = sum(entry.file_size for entry in entries)
    if total > limit:
        raise ValidationError(
            _("This file unpacks to %(size)s; the limit is %(limit)s. Remove large images or videos from it, "
              "or save it as a PDF, and try again."),
            params={"size": filesizeformat(total), "limit": filesizeformat(limit)}, code="archive_too_large",
        )
    for entry in entries:
        if entry.file_size >= RATIO_CHECKED_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(
                entry.compress_size, 1):
            raise ValidationError(
                _("A part of this file unpacks to %(size)s from %(compressed)s, which only a file made to "
                  "overload servers does. Save it again from Word or Excel, or as a PDF, and try again."),
                params={"size": filesizeformat(entry.file_size), "compressed": filesizeformat(entry.compress_size)},
                code="archive_ratio",
            )


def _office_type(data: bytes) -> DetectedType | None:
    """DOCX and XLSX are ZIP files; tell them apart by the part they must contain.

    Only the ZIP directory is read, nothing is decompressed; a ZIP that would unpack
    to too much is refused (check_archive).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            check_archive(archive)
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("This document contains macros, which are never accepted. Save it as an ordinary document "
              "(or as a PDF) and try again."),
            code="macros",
        )
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in text[:1024] for marker in _HTML_MARKERS)


def decode_text(data: bytes) -> str:
    """An uploaded text file (CSV) as text: UTF-8, with or without Excel's BOM, else Latin-1 (every byte is
    a character there, so this never fails: a wrong guess shows as odd letters, never as an error)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def detect_type(data: bytes) -> tuple[DetectedType | None, str]:
    """Return (accepted type or None, what the content is in words)."""
    kind = filetype.guess(data[:8192])
    extension = kind.extension if kind else ""
    if extension == "pdf":
        return PDF, PDF.label
    if extension == "jpg":
        return JPEG, JPEG.label
    if extension == "png":
        return PNG, PNG.label
    if extension in {"zip", "docx", "xlsx"}:
        office = _office_type(data)
        if office is not None:
            return office, office.label
        return None, str(_KNOWN_NAMES["zip"] if extension == "zip" else _name_of(extension))
    if data[:2] == b"MZ":
        return None, str(_KNOWN_NAMES["exe"])
    if data[:4] == b"\x7fELF":
        return None, str(_KNOWN_NAMES["elf"])
    if extension:
        return None, _name_of(extension)
    if _looks_like_html(data[:4096]):
        return None, str(_("an HTML document"))
    if data.lstrip()[:10].lower().startswith(_SCRIPT_MARKERS):
        return None, str(_("a script"))
    return None, str(_("a file of an unknown type"))


def validate_upload(file: File[bytes] | IO[bytes], *, max_bytes: int | None = None) -> DetectedType:
    """Check an uploaded file and return its type, or raise ValidationError.

    Rules: not empty; at most settings.RELAIS_UPLOAD_MAX_BYTES; content is PDF,
    JPEG, PNG, DOCX or XLSX (DOCX/XLSX verified inside the ZIP, which unpacks to at
    most settings.RELAIS_UPLOAD_MAX_UNCOMPRESSED_BYTES); and the file name's
    extension agrees with the content.
    """
    limit = max_bytes if max_bytes is not None else settings.RELAIS_UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s. Reduce it (scan in black and white or at a "
              "lower resolution) and try again."),
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)}, code="too_large",
        )
    data = _read_all(file)
    if not data:
        raise ValidationError(_("This file is empty."), code="empty")
    if len(data) > limit:
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s. Reduce it (scan in black and white or at a "
              "lower resolution) and try again."),
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}, code="too_large",
        )
    name = getattr(file, "name", "") or ""
    claimed_ext = PurePath(name).suffix.lower().lstrip(".")
    claimed = EXTENSIONS.get(claimed_ext)
    detected, description = detect_type(data)
    if detected is None:
        if claimed is not None:
            raise ValidationError(
                _("This file is %(what)s, not a %(claimed)s. Accepted types: %(accepted)s."),
                params={"what": description, "claimed": claimed.label, "accepted": _accepted_list()},
                code="wrong_type",
            )
        raise ValidationError(
            _("This file is %(what)s. Accepted types: %(accepted)s."),
            params={"what": description, "accepted": _accepted_list()}, code="wrong_type",
        )
    if claimed is not detected:
        raise ValidationError(
            _("This file's content is %(detected)s but its name ends in “.%(ext)s”. Rename it to end "
              "in “.%(good)s” and try again."),
            params={"detected": detected.label, "ext": claimed_ext or "?", "good": detected.extension},
            code="extension_mismatch",
        )
    return detected


class _PrivateStorage(LazyObject):
    """storages["private"], looked up lazily so tests can point it elsewhere."""

    _wrapped: Any  # the Storage, or `empty` until first used

    def _setup(self) -> None:
        self._wrapped = storages["private"]


private_storage = _PrivateStorage()


def get_private_storage() -> Storage:
    return cast(Storage, private_storage)  # a lazy proxy of the Storage


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        private_storage._wrapped = empty
