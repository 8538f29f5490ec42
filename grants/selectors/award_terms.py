"""Readers for the award terms page and the workspace's grant settings."""

from __future__ import annotations

from django.db.models import Q

from relais.actor import Actor

from ..models import Award, AwardBudgetLine, BudgetCategory, GrantSettings


def award_budget_lines(*, award: Award) -> list[AwardBudgetLine]:
    return list(AwardBudgetLine.objects.filter(tenant_id=award.tenant_id, award=award).order_by("id"))


def terms_categories(*, actor: Actor, award: Award) -> list[BudgetCategory]:
    """The categories a budget line of the award may take: the active ones, and those its lines already use."""
    used = AwardBudgetLine.objects.filter(tenant_id=award.tenant_id, award=award).values("category_id")
    return list(BudgetCategory.objects.filter(tenant=actor.tenant).filter(Q(is_active=True) | Q(pk__in=used)))


def grant_settings_for_edit(*, actor: Actor) -> GrantSettings:
    """The workspace's grant settings, or the defaults (unsaved) when nobody saved them yet: reading never
    writes (the service makes the row on the first save)."""
    found = GrantSettings.objects.filter(tenant=actor.tenant).first()
    return found if found is not None else GrantSettings(tenant=actor.tenant)
