"""Background work for grants: closing calls at their deadline, generating agreements in bulk (e-mails
leave from the kernel's outbox)."""

from __future__ import annotations

from django_tasks import task


@task()
def close_due_calls() -> int:
    from .services.calls import close_due_calls as close

    return close()


@task()
def agreements_generate_bulk(*, tenant_id: int, award_ids: list[int], language: str | None = None) -> dict[str, int]:
    """Generate a new agreement version for each drafted award of the list, as the system (each in its own
    transaction: one refusal does not undo the others). Returns how many were generated and refused."""
    from relais.actor import Actor
    from relais.errors import Refused
    from relais.models import Tenant

    from .models import Award
    from .services.agreements import agreement_generate

    tenant = Tenant.objects.get(pk=tenant_id)
    actor = Actor.system(tenant)
    generated = refused = 0
    for award in Award.objects.filter(tenant=tenant, pk__in=award_ids).select_related("tenant").order_by("pk"):
        try:
            agreement_generate(award=award, actor=actor, language=language)
        except Refused:
            refused += 1
        else:
            generated += 1
    return {"generated": generated, "refused": refused, "missing": len(set(award_ids)) - generated - refused}
