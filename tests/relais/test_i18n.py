from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings


def _catalogue(language):
    with open(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as handle:
        return read_po(handle)


def test_french_catalogue_is_complete():
    untranslated = [
        message.id for message in _catalogue("fr")
        if message.id and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert untranslated == []


def test_french_catalogue_has_no_fuzzy_entries():
    fuzzy = [message.id for message in _catalogue("fr") if message.id and message.fuzzy]
    assert fuzzy == []


def test_french_translations_keep_their_placeholders():
    import re

    broken = []
    for message in _catalogue("fr"):
        if not message.id or isinstance(message.id, tuple):
            continue
        wanted = sorted(re.findall(r"%\(\w+\)s", message.id))
        if sorted(re.findall(r"%\(\w+\)s", message.string)) != wanted:
            broken.append(message.id)
    assert broken == []


def test_french_is_the_default_language():
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]


def test_every_audit_action_written_by_the_code_has_a_readable_name():
    """Audit codes written as literals (action="x.y") all have a translated label."""
    import re

    from relais.audit_labels import _LABELS

    base = Path(settings.BASE_DIR)
    literal = re.compile(r'action=(?:"([a-z_]+\.[a-z_]+)" if [^,]*? else "([a-z_]+\.[a-z_]+)"|"([a-z_]+\.[a-z_]+)")')
    written = set()
    for app in ("relais", "orgs", "grants", "training"):
        for path in (base / app).rglob("*.py"):
            for match in literal.finditer(path.read_text()):
                written |= {code for code in match.groups() if code}
    assert written, "the scan found no audit actions"
    assert sorted(written - set(_LABELS)) == []
