"""The workspace's grant settings: the default tranche plan, the second-approval thresholds, the
agreement's clauses and the logo printed on it; for progress reports, the reminders before the due date
and the variance that needs an explanation.

Only managers change them. The row is made on the first save (reading the page never writes);
the save is a compare-and-swap on its version, so two tabs never overwrite each other, and it
writes only the fields of this page (other features keep their own settings on the same row).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.money import minor_unit_problem
from relais.permissions import Decision, deny, require
from relais.uploads import JPEG, PNG, validate_upload

from ..models import GrantSettings
from ..tranches import plan_problems
from .reminders import reminder_days_problems

# What the agreement's clauses may name, in braces: the agreement fills them in.
CLAUSE_PLACEHOLDERS = ("organisation", "amount", "amount_words", "reference", "title", "start_date", "end_date",
                       "tenant")
LOGO_MAX_BYTES = 1024 * 1024
VARIANCE_MAX = Decimal("100")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def can_edit_grant_settings(actor: Actor) -> Decision:
    if not actor.is_manager:
        return deny(_("Only programme managers change the grant settings."))
    return Decision(True)


def clause_problems(text: str) -> list[str]:
    """Placeholders the agreement would not understand, and stray braces, in the reader's language."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in CLAUSE_PLACEHOLDERS})
    problems = []
    if unknown:
        problems.append(_("The agreement does not know %(unknown)s. It understands: %(known)s.") % {
            "unknown": ", ".join(f"{{{name}}}" for name in unknown),
            "known": ", ".join(f"{{{name}}}" for name in CLAUSE_PLACEHOLDERS)})
    elif "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
        problems.append(_("Braces are only used around a placeholder, such as {organisation}."))
    return problems


def logo_problem(file: File[bytes] | IO[bytes]) -> None:
    """Refuse, with the reason, a logo that is not a PNG or JPEG image of at most 1 MB (read from its content)."""
    detected = validate_upload(file, max_bytes=LOGO_MAX_BYTES)
    if detected not in (PNG, JPEG):
        raise ValidationError(_("The logo must be a PNG or JPEG image; this file is %(kind)s.") % {
            "kind": detected.label}, code="logo_type")


def variance_threshold_problems(value: Decimal) -> list[str]:
    """A percentage from 0 to 100 with at most two decimals (0: every variance needs an explanation)."""
    if not value.is_finite() or value < 0 or value > VARIANCE_MAX:
        return [_("The variance is a percentage between 0 and 100, for example 10.")]
    if value != value.quantize(Decimal("0.01")):
        return [_("The variance has at most two decimals, for example 12.5.")]
    return []


def _plan_value(value: Decimal | int | str) -> int | str:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else str(number.normalize())


def grant_settings_save(*, actor: Actor, expected_version: int | None = None,
                        tranche_plan: Sequence[Decimal | int | str],
                        approval_thresholds: Mapping[str, Decimal | None], clauses_fr: str, clauses_en: str,
                        logo: File[bytes] | IO[bytes] | None = None, remove_logo: bool = False,
                        reminder_days: Sequence[int] | None = None,
                        variance_threshold: Decimal | None = None) -> GrantSettings:
    """Save the page's settings. Rules: a manager; the plan's percentages are positive and add up to 100;
    a threshold is a positive amount in its currency, or None (every payment in that currency then needs
    a second approval); the clauses name only the placeholders the agreement understands; the logo is a
    PNG or JPEG image; the reminder days are distinct whole numbers from 1 to 365 (none: no reminder
    before the due date), the variance a percentage from 0 to 100 (None for either: unchanged).
    Refused by field and nothing written; Stale when saved since `expected_version`."""
    require(can_edit_grant_settings(actor))
    problems: dict[str, list[str]] = {}
    plan_issues = plan_problems(tranche_plan)
    if plan_issues:
        problems["tranche_plan"] = plan_issues
    for currency, threshold in approval_thresholds.items():
        if threshold is None:
            continue
        issue = (_("The amount must be above zero.") if not threshold.is_finite() or threshold <= 0
                 else minor_unit_problem(threshold, currency))
        if issue:
            problems[f"threshold_{currency}"] = [issue]
    for name, text in (("clauses_fr", clauses_fr), ("clauses_en", clauses_en)):
        issues = clause_problems(text)
        if issues:
            problems[name] = issues
    if reminder_days is not None:
        issues = reminder_days_problems(list(reminder_days))
        if issues:
            problems["reminder_days"] = issues
    if variance_threshold is not None:
        issues = variance_threshold_problems(variance_threshold)
        if issues:
            problems["variance_threshold"] = issues
    if logo is not None:
        try:
            logo_problem(logo)
        except ValidationError as exc:
            problems["logo"] = list(exc.messages)
    if problems:
        raise Refused(ValidationError(problems))

    with transaction.atomic():
        row, _created = GrantSettings.objects.get_or_create(tenant=actor.tenant)
        locked = GrantSettings.objects.select_for_update().get(pk=row.pk, tenant=actor.tenant)
        claim_version(locked, expected=expected_version)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        fields = ["version", "updated_at"]

        def change(name: str, value: Any) -> None:
            if getattr(locked, name) != value:
                before[name], after[name] = getattr(locked, name), value
                setattr(locked, name, value)
                fields.append(name)

        change("tranche_plan", [_plan_value(value) for value in tranche_plan])
        thresholds = dict(locked.approval_thresholds or {})
        for currency, threshold in approval_thresholds.items():
            if threshold is None:
                thresholds.pop(currency, None)
            else:
                thresholds[currency] = (str(int(threshold)) if threshold == threshold.to_integral_value()
                                        else str(threshold))
        change("approval_thresholds", thresholds)
        change("clauses_fr", clauses_fr.replace("\r\n", "\n"))
        change("clauses_en", clauses_en.replace("\r\n", "\n"))
        if reminder_days is not None:
            change("reminder_days", sorted(reminder_days, reverse=True))
        if variance_threshold is not None and variance_threshold != locked.variance_threshold:
            before["variance_threshold"], after["variance_threshold"] = (str(locked.variance_threshold),
                                                                          str(variance_threshold))
            locked.variance_threshold = variance_threshold
            fields.append("variance_threshold")
        old_logo = locked.logo.name if locked.logo else ""
        if logo is not None:
            extension = "png" if validate_upload(logo, max_bytes=LOGO_MAX_BYTES) == PNG else "jpg"
            locked.logo.save(f"logo.{extension}", File(logo), save=False)
            before["logo"], after["logo"] = old_logo, locked.logo.name
            fields.append("logo")
        elif remove_logo and old_logo:
            locked.logo = ""
            before["logo"], after["logo"] = old_logo, ""
            fields.append("logo")
        locked.save(update_fields=fields)
        audit_record(tenant=actor.tenant, actor=actor.user, action="grant_settings.saved", target=locked,
                     before=before, after=after)
        if old_logo and "logo" in after:
            storage, name = locked.logo.storage, old_logo
            transaction.on_commit(lambda: storage.delete(name))
    return locked
