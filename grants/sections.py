"""The sections of an application form, in order (slug, title)."""

from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("project", _("Project")),
    ("context", _("Context and problem")),
    ("objectives", _("Objectives")),
    ("activities", _("Activities and timeline")),
    ("location", _("Where and when")),
    ("beneficiaries", _("Beneficiaries")),
    ("risks", _("Risks and do no harm")),
    ("budget", _("Budget and co-funding")),
    ("eligibility", _("Eligibility")),
    ("attachments", _("Attachments")),
]
SECTION_SLUGS = [slug for slug, _label in SECTIONS]
SECTION_TITLES = dict(SECTIONS)


def next_section(slug: str) -> str | None:
    index = SECTION_SLUGS.index(slug)
    return SECTION_SLUGS[index + 1] if index + 1 < len(SECTION_SLUGS) else None


def previous_section(slug: str) -> str | None:
    index = SECTION_SLUGS.index(slug)
    return SECTION_SLUGS[index - 1] if index > 0 else None
