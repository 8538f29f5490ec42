from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from relais.conflicts import register_interest
        from relais.outbox import register_organisation_contacts
        from relais.services.tenancy import register_members_changed, register_tenant_setup

        from . import audit, dashboard, workflow  # noqa: F401  (registers panels, navigation, state tables, audit)
        from .hooks import consenting_contacts, members_changed, set_up_workspace
        from .selectors.organisations import organisations_where_contact

        register_tenant_setup(set_up_workspace)
        register_organisation_contacts(consenting_contacts)
        register_members_changed(members_changed)
        # Conflict of interest: a staff member who is one of a CSO's contact people is linked to it.
        register_interest(organisations_where_contact)
        # Payments ask the registry whether money may go to a CSO (relais.payability).
        from relais.payability import (
            DUE_DILIGENCE,
            PAYMENT_DETAILS,
            SCREENING,
            register_organisation_check,
            register_organisation_checks_joint,
            register_organisation_checks_many,
        )

        from .hooks import (
            due_diligence_check,
            due_diligence_checks_many,
            payment_details_check,
            registry_checks_many,
            screening_check,
            screening_checks_many,
        )

        register_organisation_check(DUE_DILIGENCE, due_diligence_check)
        register_organisation_check(SCREENING, screening_check)
        register_organisation_check(PAYMENT_DETAILS, payment_details_check)
        register_organisation_checks_many(DUE_DILIGENCE, due_diligence_checks_many)
        register_organisation_checks_many(SCREENING, screening_checks_many)
        register_organisation_checks_joint((DUE_DILIGENCE, SCREENING), registry_checks_many)
