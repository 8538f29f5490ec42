"""Grants fixtures: a complete application ready to submit, in world_a."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import Application, ApplicationStatus, Review, ReviewStatus
from relais.models import Role
from tests.grants.factories import (
    ApplicationAttachmentFactory,
    ApplicationFactory,
    BudgetLineFactory,
    CallFactory,
    EligibilityAnswerFactory,
    EligibilityQuestionFactory,
    RequiredAttachmentFactory,
    ReviewFactory,
    RubricCriterionFactory,
    TimelineActivityFactory,
)


def complete_application(world, *, status: str = ApplicationStatus.DRAFT, call=None, organisation=None) -> Application:
    tenant = world.tenant
    if call is None:
        call = CallFactory(tenant=tenant)
        RubricCriterionFactory(tenant=tenant, call=call, weight=Decimal("2"))
        RubricCriterionFactory(tenant=tenant, call=call, weight=Decimal("1"))
        EligibilityQuestionFactory(tenant=tenant, call=call)
        RequiredAttachmentFactory(tenant=tenant, call=call)
    app = Application.objects.create(
        tenant=tenant, call=call, organisation=organisation or world.organisation, status=status,
        title="Dialogue à Mopti", summary="Résumé", context="Contexte", objectives="Objectifs",
        activities="Activités", communes="Mopti, Sévaré", start_date=timezone.localdate(),
        end_date=timezone.localdate().replace(year=timezone.localdate().year + 1),
        women=120, men=100, youth=80, risks="Risques", do_no_harm="Ne pas nuire",
        requested_amount=Decimal("5000000"),
    )
    region = (organisation or world.organisation).region
    app.regions.add(region)
    TimelineActivityFactory(tenant=tenant, application=app)
    BudgetLineFactory(tenant=tenant, application=app)
    for question in call.questions.all():
        EligibilityAnswerFactory(tenant=tenant, application=app, question=question, answer="yes")
    for required in call.required_attachments.all():
        ApplicationAttachmentFactory(tenant=tenant, application=app, required=required)
    return app


@pytest.fixture
def ready_application(world_a) -> Application:
    return complete_application(world_a)



def review_of_organisation(world, organisation=None, *, blind: bool = False, status: str = ReviewStatus.DRAFT,
                           reviewer=None) -> Review:
    """The CSO's application, in review and assigned to the world's reviewer. A reviewer sees a CSO
    in the registry only through such a review, in a call without blind review."""
    app = ApplicationFactory(tenant=world.tenant, organisation=organisation or world.organisation,
                             call=CallFactory(tenant=world.tenant, blind_review=blind),
                             status=ApplicationStatus.IN_REVIEW)
    return ReviewFactory(tenant=world.tenant, application=app, reviewer=reviewer or world.user(Role.REVIEWER),
                         status=status)
