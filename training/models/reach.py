"""The programme's reach as first opened (every session, no filter), stored per workspace (issue 10).

Computing it sums every registration and attendance mark of the workspace; its figures only move when
training data is written (every training service bumps `changes` in its transaction) or when the
organisations and regions the breakdowns name change (`organisations_mark`). The page serves `data`
while both still match what it was computed from; see training.selectors.reach and
training.services.reach."""

from __future__ import annotations

from django.db import models

from relais.models import TenantOwned


class ReachSnapshot(TenantOwned):
    """One row per workspace: a counter of the training writes, and the figures stored with the counter and
    the registry mark they were computed at. Derived data, never edited: a stale row is recomputed."""

    changes = models.PositiveBigIntegerField(default=0)  # bumped by every training write that can move a figure
    computed_changes = models.PositiveBigIntegerField(null=True, blank=True)  # `changes` when `data` was computed
    organisations_mark = models.CharField(max_length=64, blank=True)  # training.selectors.reach.organisations_mark
    computed_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)  # training.selectors.reach.reach_data

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="reachsnapshot_one_per_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.computed_changes}/{self.changes}"
