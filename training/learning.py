"""Pure rules of the learning part: gains, averages and the certificate threshold (no queries)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import ngettext

from .models import CERTIFICATE_THRESHOLD_PERCENT, Registration

ATTENDED = ("present", "late")


def mean(values: Iterable[int | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return mean_of(sum(known), len(known))


def mean_of(total: int | None, count: int | None) -> Decimal | None:
    """The same average from a sum and a count (what a GROUP BY gives): one decimal, half up; None for none."""
    if not count:
        return None
    return (Decimal(total or 0) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LearningSummary:
    pre: Decimal | None
    post: Decimal | None
    gain: Decimal | None  # mean over the participants with both scores
    satisfaction: Decimal | None
    scored: int  # participants with both scores
    evaluations: int


def summarise(registrations: Iterable[Registration]) -> LearningSummary:
    rows = list(registrations)
    gains = [r.gain for r in rows if r.gain is not None]
    return LearningSummary(
        pre=mean(r.pre_score for r in rows), post=mean(r.post_score for r in rows), gain=mean(gains),
        satisfaction=mean(r.satisfaction for r in rows), scored=len(gains),
        evaluations=sum(1 for r in rows if r.satisfaction is not None))


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    attended: int
    days: int
    reason: str = ""


def certificate_eligibility(statuses: Iterable[str], *, days: int,
                            threshold: int = CERTIFICATE_THRESHOLD_PERCENT) -> Eligibility:
    """Attended days (present or late) must be at least `threshold` % of the session's days.
    The default is for pure callers; services and pages pass the workspace's
    (`training.selectors.settings.certificate_threshold`, read once per request).

    Integer arithmetic: 79 % is refused even where a float would round it up."""
    attended = sum(1 for s in statuses if s in ATTENDED)
    if days and attended * 100 >= threshold * days:
        return Eligibility(True, attended, days)
    # ngettext on the attended days: "1 jour sur 2" but "3 jours sur 5" (French counts 0 and 1 as one).
    return Eligibility(False, attended, days, ngettext(
        "Attended %(attended)s day of %(days)s (%(percent)s %%): a certificate needs at least %(threshold)s %%.",
        "Attended %(attended)s days of %(days)s (%(percent)s %%): a certificate needs at least %(threshold)s %%.",
        attended) % {"attended": attended, "days": days, "percent": (attended * 100 // days) if days else 0,
           "threshold": threshold})
