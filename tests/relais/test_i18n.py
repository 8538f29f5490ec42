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


def test_french_translations_put_a_space_before_double_punctuation():
    import re

    glued = []
    for message in _catalogue("fr"):
        if not message.id:
            continue
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if re.search(r"[^\s\d][:;?!](\s|$)", text):
                glued.append(text)
    assert glued == []


def test_templates_do_not_glue_a_colon_to_a_translated_label():
    """``{% translate "Next step" %}:`` prints "Prochaine étape:" in French; ``{% colon %}`` adds the space."""
    import re

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"%\}\s?:", line)
    ]
    assert offenders == []


def test_the_colon_tag_follows_the_language():
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load relais %}Motif{% colon %}')
    with translation.override("fr"):
        assert template.render(Context()) == "Motif\u00a0:"
    with translation.override("en"):
        assert template.render(Context()) == "Motif:"


def test_nouns_and_states_read_right_in_french():
    from django.utils import translation

    from grants.models import ApplicationStatus, ReviewStatus
    from orgs.models.documents import ReviewStatus as DocumentStatus

    with translation.override("fr"):
        assert translation.gettext("Answer") == "Réponse"
        assert translation.pgettext("noun", "Review") == "Évaluation"
        assert str(ApplicationStatus.REJECTED.label) == "Refusée"  # une demande
        assert str(ApplicationStatus.APPROVED.label) == "Approuvée"
        assert str(DocumentStatus.REJECTED.label) == "Refusé"  # un document
        assert str(ReviewStatus.SUBMITTED.label) == "Soumise"  # une évaluation
        assert str(ReviewStatus.RECUSED.label) == "Récusée"
