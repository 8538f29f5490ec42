"""One-line fields refuse line breaks and invisible characters (they reach e-mail headers and file names)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from relais.validators import no_control_characters, one_line


@pytest.mark.parametrize("value", [
    "REJ\r\nBcc: victim@example.org", "W\r\nX: 1", "AJCET\n", "tab\there", "nul\x00", "bell\x07",
    "zero\u200bwidth", "facture\u202efdp.exe", "line\u2028separator", "\ufeffBOM",
])
def test_control_and_invisible_characters_are_refused(value):
    with pytest.raises(ValidationError) as exc:
        no_control_characters(value)
    assert exc.value.code == "control_character"


def test_the_refusal_names_the_character(english):
    with pytest.raises(ValidationError) as exc:
        no_control_characters("W\r\nX: 1")
    assert exc.value.messages == [
        "Write this on one line, without line breaks, tabs or invisible characters (found: U+000D)."
    ]


@pytest.mark.parametrize("value", [
    "Ségou", "Allô Gouvernance", "AJCET — Mopti", "Association « Benkadi » (2014)", "W-M", "L’Œil de Ménaka",
    "ⵜⴰⵎⴰⵣⵗⵜ", "جمعية السلام", "Peace One Day Mali", "+223 70 00 00 00",
])
def test_ordinary_names_in_the_languages_of_mali_are_accepted(value):
    no_control_characters(value)


def test_one_line_turns_any_refused_character_into_a_space():
    assert one_line("Votre demande d'adhésion à REJ\r\nBcc: x\u2028y\tz") == "Votre demande d'adhésion à REJ Bcc: x y z"


# Text fields the people using Relais do not type (set by the code, copied from an uploaded file's
# name or from an official sanctions list), or that Django's user model has but Relais never shows.
NOT_TYPED = {
    "grants.Application.reference", "grants.ApplicationAttachment.content_type",
    "grants.ApplicationAttachment.original_name", "orgs.ImportBatch.filename",
    "orgs.OrganisationDocument.content_type", "orgs.OrganisationDocument.original_name",
    "orgs.OrganisationDocument.sha256", "orgs.SanctionsEntry.list_name", "orgs.SanctionsEntry.primary_name",
    "orgs.SanctionsEntry.reference", "orgs.SanctionsListVersion.checksum", "orgs.ScreeningCandidate.matched_name",
    "orgs.ScreeningCandidate.screened_name", "relais.AuditEvent.action", "relais.AuditEvent.request_id",
    "relais.AuditEvent.target_id", "relais.AuditEvent.target_type", "relais.DraftRescue.path",
    "relais.Invitation.token_hash", "relais.User.first_name", "relais.User.last_name", "relais.User.password",
    "relais.User.username",
    # Awards core (issue 11): set by the code, from the application, a file or a payment provider.
    "grants.Award.reference", "grants.AgreementDocument.language", "grants.AgreementDocument.original_name",
    "grants.AgreementDocument.sha256", "grants.Disbursement.operator", "grants.Disbursement.proof_name",
    "grants.Disbursement.idempotency_key", "grants.Disbursement.external_id", "grants.PaymentEvent.provider",
    "grants.PaymentEvent.event_id", "grants.PaymentEvent.kind",
    # Progress reports: an uploaded file's name and type, and the reminders' own keys.
    "grants.ReportAttachment.original_name", "grants.ReportAttachment.content_type", "grants.ReminderLog.key",
}
# Awards core (issue 11): copied from the application, an uploaded file's name, a language code, a digest,
# or written by the code and payment providers (the mobile-money operator comes from a fixed list).
NOT_TYPED |= {
    "grants.Award.reference", "grants.AgreementDocument.language", "grants.AgreementDocument.original_name",
    "grants.AgreementDocument.sha256", "grants.Disbursement.operator", "grants.Disbursement.proof_name",
    "grants.Disbursement.idempotency_key", "grants.Disbursement.external_id", "grants.PaymentEvent.provider",
    "grants.PaymentEvent.event_id", "grants.PaymentEvent.kind",
}
# The training reach's stored figures: a digest the code computes (training.selectors.reach.organisations_mark).
NOT_TYPED |= {"training.ReachSnapshot.organisations_mark"}


def test_every_one_line_text_field_refuses_control_characters():
    """A new CharField someone types into is caught here until it carries the validator (or is listed above)."""
    missing = []
    for config in apps.get_app_configs():
        if config.name not in ("orgs", "grants", "training"):
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                label = f"{model._meta.label}.{field.name}"
                if (isinstance(field, models.CharField) and not isinstance(field, (models.EmailField,
                                                                                      models.SlugField))
                        and not field.choices and field.editable and label not in NOT_TYPED
                        and no_control_characters not in field.validators):
                    missing.append(label)
    assert missing == []
