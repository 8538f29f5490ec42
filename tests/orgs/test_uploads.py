"""validate_upload: the type comes from the content, the name must agree, limits hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from relais.uploads import DOCX, JPEG, PDF, PNG, XLSX, validate_upload
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


# --- ZIP-based documents that would unpack to far more than they weigh ---------------------------------------------


def _docx_with(extra: dict[str, int] | None = None, *, entries: int = 0) -> bytes:
    """A real DOCX plus parts made of zeros (name -> megabytes), written in chunks so that
    the test never holds them in memory; or plus ``entries`` tiny parts."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        chunk = b"\x00" * (1024 * 1024)
        for name, megabytes in (extra or {}).items():
            with archive.open(name, "w", force_zip64=True) as part:
                for _ in range(megabytes):
                    part.write(chunk)
        for index in range(entries):
            archive.writestr(f"word/media/p{index}.xml", "<p/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docx_with_200_mb_of_zeros() -> bytes:
    return _docx_with({"word/media/image1.png": 200})


def test_a_docx_unpacking_to_200_mb_is_refused_with_the_reason(docx_with_200_mb_of_zeros):
    from django.utils import translation

    assert len(docx_with_200_mb_of_zeros) < 1024 * 1024  # well under the upload limit
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc:
            validate_upload(upload("statuts.docx", docx_with_200_mb_of_zeros))
        message = " ".join(exc.value.messages)
    assert exc.value.code == "archive_too_large"
    assert "This file unpacks to 200.0\xa0MB; the limit is 50.0\xa0MB" in message


def test_the_reason_for_a_zip_bomb_is_in_french(docx_with_200_mb_of_zeros):
    from django.utils import translation

    with translation.override("fr"):
        with pytest.raises(ValidationError) as exc:
            validate_upload(upload("statuts.docx", docx_with_200_mb_of_zeros))
        message = " ".join(exc.value.messages)
    assert "Une fois décompressé, ce fichier occupe 200,0\xa0Mio" in message


def test_the_uncompressed_limit_is_a_setting(settings):
    settings.RELAIS_UPLOAD_MAX_UNCOMPRESSED_BYTES = 512 * 1024
    data = _docx_with({"word/media/image1.png": 1})
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("statuts.docx", data))
    assert exc.value.code == "archive_too_large"


def test_a_part_compressed_a_thousand_times_is_refused_under_the_total_limit():
    data = _docx_with({"word/media/image1.png": 20})
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("statuts.docx", data))
    assert exc.value.code == "archive_ratio"


def test_an_xlsx_with_too_many_parts_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        for index in range(10_001):
            archive.writestr(f"xl/media/p{index}.xml", "")
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("bilan.xlsx", buffer.getvalue()))
    assert exc.value.code == "archive_entries"


def test_a_docx_with_an_ordinary_image_is_accepted():
    import io
    import os
    import zipfile

    buffer = io.BytesIO(_docx_with(entries=50))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/photo.jpg", os.urandom(3 * 1024 * 1024))  # incompressible, like a photo
    assert validate_upload(upload("rapport.docx", buffer.getvalue())) == DOCX
