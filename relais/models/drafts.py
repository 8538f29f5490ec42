"""Text typed while the session had expired, kept for the person who typed it (see relais.drafts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .tenancy import TenantOwned


class DraftRescue(TenantOwned):
    """A form's text POSTed after the session expired: given back once, on the same page, to `user` only.

    In the database rather than the cache so that it can never evict the login rate-limit counters;
    capped in size per field and per user, and pruned once expired.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    data = models.JSONField()
    size = models.PositiveIntegerField()
    truncated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "path"], name="draftrescue_one_per_user_and_page"),
        ]
