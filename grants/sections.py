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


# The application fields each section writes (the service refuses any other), and the rows a
# section carries as a formset: its key in the section data and the fields of one row.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "project": ("title", "summary"),
    "context": ("context",),
    "objectives": ("objectives",),
    "activities": ("activities",),
    "location": ("regions", "communes", "start_date", "end_date"),
    "beneficiaries": ("women", "men", "youth"),
    "risks": ("risks", "do_no_harm"),
    "budget": ("cofunding_amount", "cofunding_source"),
    "eligibility": (),
    "attachments": (),
}
SECTION_ROWS: dict[str, str] = {"activities": "timeline", "budget": "lines"}
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "timeline": ("activity", "start_month", "end_month"),
    "lines": ("category", "description", "quantity", "unit_cost"),
}
# At most this many rows per application. Each row posts up to six fields and Django refuses a
# POST of more than 1000 fields (DATA_UPLOAD_MAX_NUMBER_FIELDS), so a full page stays below it.
MAX_ROWS: dict[str, int] = {"timeline": 60, "lines": 120}
