"""CSV/XLSX exports: the file name cannot break the Content-Disposition header."""

from __future__ import annotations

import pytest

from relais.exports import csv_response, xlsx_response


@pytest.mark.parametrize(("build", "extension"), [(csv_response, "csv"), (xlsx_response, "xlsx")])
@pytest.mark.parametrize(("name", "expected"), [
    ("organisations-peace-direct", 'attachment; filename="organisations-peace-direct.{ext}"'),
    ('ranking-"7"', 'attachment; filename="ranking-\\"7\\".{ext}"'),
    ("ranking\r\nX-Injected: 1", "attachment; filename*=utf-8\'\'ranking%0D%0AX-Injected%3A%201.{ext}"),
    ("organisations-ségou", "attachment; filename*=utf-8\'\'organisations-s%C3%A9gou.{ext}"),
])
def test_the_export_file_name_is_quoted_by_django(build, extension, name, expected):
    response = build(name, ["Nom"], [["AJCET"]])
    assert response["Content-Disposition"] == expected.format(ext=extension)
