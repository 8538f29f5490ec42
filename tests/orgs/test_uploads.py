"""validate_upload: the type comes from the content, the name must agree, limits hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from orgs.uploads import DOCX, JPEG, PDF, PNG, XLSX, validate_upload
from tests.dd_samples import (
    HTML_PAGE,
    LINUX_ELF,
    WINDOWS_EXE,
    docm_bytes,
    docx_bytes,
    jpeg_bytes,
    pdf_bytes,
    plain_zip_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
)


@pytest.mark.parametrize(
    ("name", "builder", "expected"),
    [
        ("statuts.pdf", pdf_bytes, PDF),
        ("STATUTS.PDF", pdf_bytes, PDF),
        ("scan.png", png_bytes, PNG),
        ("photo.jpg", jpeg_bytes, JPEG),
        ("photo.jpeg", jpeg_bytes, JPEG),
        ("statuts.docx", docx_bytes, DOCX),
        ("bilan.xlsx", xlsx_bytes, XLSX),
    ],
)
def test_real_files_of_each_accepted_type_are_accepted(name, builder, expected):
    assert validate_upload(upload(name, builder())) == expected


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("statuts.pdf", WINDOWS_EXE, "This file is a Windows program, not a PDF"),
        ("statuts.pdf", LINUX_ELF, "This file is a Linux program, not a PDF"),
        ("setup.exe", WINDOWS_EXE, "This file is a Windows program. Accepted types"),
        ("statuts.pdf", HTML_PAGE, "This file is an HTML document, not a PDF"),
        ("rapport.docx", plain_zip_bytes(), "This file is a ZIP archive, not a Word (DOCX)"),
        ("notes.txt", b"just some text\n", "This file is a file of an unknown type"),
        ("scan.pdf", png_bytes(), "content is PNG but its name ends in “.pdf”"),
        ("bilan.docx", xlsx_bytes(), "content is Excel (XLSX) but its name ends in “.docx”"),
        ("statuts", pdf_bytes(), "its name ends in “.?”"),
    ],
)
def test_wrong_types_are_refused_with_the_reason(name, data, reason, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, data))
    assert reason in " ".join(exc.value.messages)


def test_a_document_with_macros_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("statuts.docx", docm_bytes()))
    assert exc.value.code == "macros"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("vide.pdf", b""))
    assert exc.value.code == "empty"


def test_an_oversized_file_is_refused_with_both_sizes(settings):
    settings.RELAIS_UPLOAD_MAX_BYTES = 1024
    data = pdf_bytes() + b"%" * 2048
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("gros.pdf", data))
    assert exc.value.code == "too_large"
    message = " ".join(exc.value.messages)
    assert "1,0" in message or "1.0" in message  # the limit, "1,0 Kio" in French


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.RELAIS_UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    data = pdf_bytes() + b"%" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError):
        validate_upload(upload("gros.pdf", data))


def test_the_reason_is_in_french_for_french_users():
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        validate_upload(upload("statuts.pdf", HTML_PAGE))
    assert "Ce fichier est un document HTML, pas un PDF" in " ".join(exc.value.messages)
