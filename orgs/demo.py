"""Demo data for orgs: the two tenants of DOMAIN.md, their CSOs and accounts.

Called by ``manage.py seed_demo`` (idempotent). Later apps add their own
``<app>/demo.py`` with a ``seed(context)`` function; seed_demo calls them in
INSTALLED_APPS order and passes the same context dict along.
"""

from __future__ import annotations

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from orgs.models import (
    ContactPerson,
    FocusArea,
    MobileOperator,
    Organisation,
    PaymentDetails,
    PaymentDetailsStatus,
    Region,
    ScreeningDecision,
    Zone,
)
from relais.actor import Actor
from relais.models import Membership, Role, Tenant, User
from relais.services.tenancy import membership_grant, tenant_create

from .services.organisations import (
    contact_save,
    organisation_change_status,
    organisation_write,
    payment_details_update,
    payment_details_verify,
)

DEMO_PASSWORD = "relais-demo-2026"

MALI_REGIONS = [
    ("Gao", Zone.NORTH), ("Kidal", Zone.NORTH), ("Ménaka", Zone.NORTH), ("Tombouctou", Zone.NORTH),
    ("Mopti", Zone.CENTRE), ("Ségou", Zone.CENTRE),
    ("Bamako (District)", Zone.SOUTH), ("Kayes", Zone.SOUTH), ("Koulikoro", Zone.SOUTH), ("Sikasso", Zone.SOUTH),
]

FOCUS_AREAS = [
    ("Médiation et dialogue", "Mediation and dialogue"),
    ("Prévention de l'extrémisme violent", "Prevention of violent extremism"),
    ("Éducation civique", "Civic education"),
    ("Moyens de subsistance", "Livelihoods"),
    ("Droits des femmes", "Women's rights"),
    ("Jeunesse", "Youth"),
    ("Réinsertion", "Reintegration"),
    ("Éducation", "Education"),
    ("Violences basées sur le genre", "Gender-based violence"),
]

TENANTS: list[dict[str, Any]] = [
    {
        "slug": "peace-direct",
        "name": "Peace Direct — Mali",
        "reference_prefix": "PD",
        "organisations": [
            ("AJCET", "Association des jeunes contre l'enrôlement dans le terrorisme", "Mopti"),
            ("TASSAGHT", "TASSAGHT", "Gao"),
            ("AFIP", "Association des femmes pour les initiatives de paix", "Bamako (District)"),
            ("APROFEM", "Association pour la promotion de la femme et de l'enfant au Mali", "Bamako (District)"),
            ("AADeC", "Association d'appui à l'auto-développement communautaire", "Koulikoro"),
            ("BENKADI", "Association Benkadi des femmes du secteur V de Kayes", "Kayes"),
            ("RENEDEP", "Réseau national pour l'éveil démocratique et patriotique", "Bamako (District)"),
            ("PODM", "Peace One Day Mali", "Bamako (District)"),
        ],
        "applicant_org": "AJCET",
    },
    {
        "slug": "wanep-mali",
        "name": "WANEP Mali",
        "reference_prefix": "WM",
        "organisations": [
            ("REJEFPO", "Réseau des jeunes femmes leaders des partis politiques et de la société civile",
             "Bamako (District)"),
            ("IRAD", "Initiative recherche appui au développement", "Bamako (District)"),
            ("CEWA", "Organisation Sauvons l'éducation malienne", "Ségou"),
            ("AJEC", "Association des jeunes pour l'éducation civique", "Bamako (District)"),
            ("ADT", "Association de développement de Tangassane", "Tombouctou"),
            ("Allô Gouvernance", "Allô Gouvernance", "Bamako (District)"),
            ("AJVY", "Association de la jeunesse de la ville de Yélimane", "Kayes"),
        ],
        "applicant_org": "REJEFPO",
    },
]

# account local part -> role
DEMO_ROLES = [
    ("manager", Role.MANAGER), ("reviewer", Role.REVIEWER), ("reviewer2", Role.REVIEWER),
    ("finance", Role.FINANCE), ("finance2", Role.FINANCE), ("trainer", Role.TRAINER),
    ("applicant", Role.APPLICANT),
]

ROLE_NAMES = {
    "manager": "Aminata Traoré", "reviewer": "Moussa Coulibaly", "reviewer2": "Fatoumata Diarra",
    "finance": "Ibrahim Keïta", "finance2": "Awa Sangaré", "trainer": "Oumar Maïga", "applicant": "Mariam Cissé",
}


# acronym -> profile (DOMAIN.md gives founding years and regions where known; the rest is plausible demo data).
# focus: indexes into FOCUS_AREAS.
PROFILES: dict[str, dict[str, Any]] = {
    "AJCET": {"type": "youth_led", "founding_year": 2013, "work": ["Mopti", "Ségou"], "focus": [1, 5, 6],
              "languages": ["fr", "bm", "ff"], "staff": (3, 5, 14, 20), "budget": "5m-25m",
              "description": "Prévention de l'enrôlement des jeunes dans les groupes armés ; réinsertion de "
                             "jeunes détenus.", "contact": ("Hamadoun Dicko", "Coordinateur")},
    "TASSAGHT": {"type": "community", "founding_year": 1988, "work": ["Gao", "Mopti", "Ségou"], "focus": [0, 3],
                 "languages": ["fr", "tmh", "son"], "staff": (4, 9, 30, 45), "budget": "25m-100m",
                 "description": "Comités de paix pastoraux entre éleveurs et agriculteurs.",
                 "contact": ("Fatimata Walet Ahmed", "Présidente")},
    "AFIP": {"type": "women_led", "founding_year": 1998, "work": ["Bamako (District)", "Koulikoro"],
             "focus": [0, 4], "languages": ["fr", "bm"], "staff": (7, 1, 25, 3), "budget": "5m-25m",
             "description": "Initiatives de paix portées par les femmes ; médiation de proximité.",
             "contact": ("Kadiatou Sidibé", "Secrétaire exécutive")},
    "APROFEM": {"type": "women_led", "founding_year": 1996, "work": ["Bamako (District)", "Sikasso"],
                "focus": [4, 8], "languages": ["fr", "bm"], "staff": (9, 2, 18, 4), "budget": "25m-100m",
                "description": "Promotion des droits de la femme et de l'enfant ; lutte contre les VBG.",
                "contact": ("Djénéba Koné", "Directrice")},
    "AADeC": {"type": "ngo", "founding_year": 2003, "work": ["Mopti", "Koulikoro", "Bamako (District)"],
              "focus": [3, 7], "languages": ["fr", "bm", "ff"], "staff": (6, 8, 10, 12), "budget": "100m-500m",
              "description": "Appui à l'auto-développement communautaire et aux moyens de subsistance.",
              "contact": ("Seydou Sangaré", "Directeur exécutif")},
    "BENKADI": {"type": "women_led", "founding_year": 2014, "work": ["Kayes"], "focus": [3, 4],
                "languages": ["fr", "bm", "snk"], "staff": (5, 0, 40, 0), "budget": "lt5m",
                "description": "Association des femmes du secteur V de Kayes : épargne, dialogue, cohésion.",
                "contact": ("Hawa Diakité", "Présidente")},
    "RENEDEP": {"type": "network", "founding_year": 2012, "work": ["Bamako (District)", "Ségou", "Mopti", "Gao"],
                "focus": [2], "languages": ["fr", "bm"], "staff": (3, 6, 50, 80), "budget": "5m-25m",
                "description": "Réseau national pour l'éveil démocratique et patriotique ; éducation civique.",
                "contact": ("Alassane Touré", "Coordinateur national")},
    "PODM": {"type": "ngo", "founding_year": 2011, "work": ["Bamako (District)", "Tombouctou"], "focus": [7, 0],
             "languages": ["fr", "en"], "staff": (4, 4, 60, 55), "budget": "25m-100m",
             "description": "ONG nationale : éducation à la paix, Journée internationale de la paix.",
             "contact": ("Aïssata Maïga", "Chargée de programme")},
    "REJEFPO": {"type": "women_led", "founding_year": 2015, "work": ["Bamako (District)"], "focus": [4, 5, 2],
                "languages": ["fr", "bm"], "staff": (6, 0, 35, 0), "budget": "5m-25m",
                "description": "Réseau de jeunes femmes leaders des partis politiques et de la société civile.",
                "contact": ("Mariam Cissé", "Présidente")},
    "IRAD": {"type": "think_tank", "founding_year": 2008, "work": ["Bamako (District)", "Mopti"], "focus": [0],
             "languages": ["fr", "ar"], "staff": (3, 7, 0, 2), "budget": "25m-100m",
             "description": "Recherche-action sur la cohésion sociale.", "contact": ("Moussa Ag Alwaly", "Chercheur")},
    "CEWA": {"type": "ngo", "founding_year": 2010, "work": ["Ségou", "Bamako (District)"], "focus": [7, 8],
             "languages": ["fr", "bm"], "staff": (5, 3, 20, 10), "budget": "5m-25m",
             "description": "Sauvons l'éducation malienne : éducation et prévention des VBG.",
             "contact": ("Oumou Diallo", "Coordinatrice")},
    "AJEC": {"type": "youth_led", "founding_year": 2006, "work": ["Bamako (District)", "Koulikoro"], "focus": [2, 5],
             "languages": ["fr", "bm"], "staff": (2, 4, 25, 30), "budget": "lt5m",
             "description": "Éducation civique des jeunes.", "contact": ("Ibrahima Traoré", "Président")},
    "ADT": {"type": "community", "founding_year": 2001, "work": ["Tombouctou"], "focus": [0, 3],
            "languages": ["fr", "son", "tmh"], "staff": (2, 5, 15, 20), "budget": "lt5m",
            "description": "Culture de la paix et droits humains à Tangassane.",
            "contact": ("Mahamane Touré", "Secrétaire général")},
    "Allô Gouvernance": {"type": "youth_led", "founding_year": 2016, "work": ["Bamako (District)", "Ségou"],
                         "focus": [2, 5, 4], "languages": ["fr", "bm"], "staff": (3, 3, 20, 20), "budget": "lt5m",
                         "description": "Citoyenneté des jeunes et des femmes, réconciliation.",
                         "contact": ("Salimata Coulibaly", "Animatrice")},
    "AJVY": {"type": "youth_led", "founding_year": 2009, "work": ["Kayes"], "focus": [5, 3],
             "languages": ["fr", "snk"], "staff": (1, 4, 12, 25), "budget": "lt5m",
             "description": "Association de la jeunesse de la ville de Yélimane.",
             "contact": ("Demba Sissoko", "Président")},
}
# Registry status after verification by the programme (others stay pending).
STATUSES = {
    "AJCET": ("verified", ""), "TASSAGHT": ("verified", ""), "AFIP": ("verified", ""), "AADeC": ("verified", ""),
    "RENEDEP": ("suspended", "Statuts non renouvelés depuis 2019 ; en attente du nouveau récépissé."),
    "REJEFPO": ("verified", ""), "IRAD": ("verified", ""), "AJEC": ("verified", ""),
}
# Organisations that have given payment details (the others have not yet).
PAYMENTS = {
    "AJCET": ("BDM-SA", "ML016 01201 020401001234 56", None),
    "TASSAGHT": ("", "", (MobileOperator.ORANGE, "+223 76 45 12 98")),
    "BENKADI": ("", "", (MobileOperator.MOOV, "+223 65 20 33 41")),
    "REJEFPO": ("Ecobank Mali", "ML090 01001 221000456789 12", (MobileOperator.ORANGE, "+223 77 80 90 10")),
    "IRAD": ("BNDA", "ML045 03001 000123456789 77", None),
}


def _seed_profiles(organisations: dict[str, Organisation], actors: dict[str, Actor]) -> None:
    """Fill each CSO once through the services, as the demo's manager and finance officer would."""
    manager, finance = actors["manager"], actors["finance"]
    focus_areas = {fa.name: fa for fa in FocusArea.objects.filter(tenant=manager.tenant)}
    focus_by_index = [focus_areas[fr] for fr, _en in FOCUS_AREAS]
    regions = {region.name: region for region in Region.objects.filter(tenant=manager.tenant)}
    for index, (acronym, organisation) in enumerate(organisations.items()):
        spec = PROFILES.get(acronym)
        if spec is None:
            continue
        if not organisation.type:  # fill once; a later edit in the UI is kept
            status, reason = STATUSES.get(acronym, ("pending", ""))
            if status != organisation.status:
                organisation_change_status(organisation=organisation, actor=manager, status=status, reason=reason)
            women, men, vol_women, vol_men = spec["staff"]
            organisation_write(
                actor=manager, organisation=organisation, extra_audit={"source": "seed_demo"},
                data={
                    "type": spec["type"], "founding_year": spec["founding_year"],
                    "registration_number": f"{index + 100:04d}/MATCL-DB",
                    "registration_date": datetime.date(spec["founding_year"], 6, 1),
                    "regions_of_work": [regions[name] for name in spec["work"]],
                    "focus_areas": [focus_by_index[i] for i in spec["focus"]],
                    "languages": spec["languages"], "staff_women": women, "staff_men": men,
                    "volunteers_women": vol_women, "volunteers_men": vol_men, "budget_band": spec["budget"],
                    "description": spec["description"],
                },
            )
        if not ContactPerson.objects.filter(organisation=organisation).exists():
            name, role = spec["contact"]
            contact_save(organisation=organisation, actor=manager, data={
                "name": name, "role": role, "consent": True, "phone": f"+223 70 {index:02d} 45 67",
                "email": f"contact@{acronym.lower().replace(' ', '')}.demo",
                # Half the contacts accepted e-mails: the outbox and the timelines show them told of decisions.
                "email_consent": index % 2 == 0,
            })
        payment = PAYMENTS.get(acronym)
        if payment and not PaymentDetails.objects.filter(organisation=organisation).exists():
            bank, account, mobile = payment
            details = payment_details_update(organisation=organisation, actor=finance, data={
                "bank_name": bank, "bank_account": account, "bank_account_holder": organisation.name if account else "",
                "mobile_operator": mobile[0] if mobile else "", "mobile_number": mobile[1] if mobile else "",
                "mobile_holder": spec["contact"][0] if mobile else "",
            })
            if acronym == "AJCET":  # a second finance officer checked this one with the CSO (four eyes)
                payment_details_verify(details=details, actor=actors["finance2"])


def demo_email(local: str, slug: str) -> str:
    return f"{local}@{slug}.demo"


def _user(email: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"username": email, "full_name": full_name})
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _membership(tenant: Tenant, user: User, role: str, organisation: Organisation | None = None) -> Membership:
    existing = Membership.objects.filter(tenant=tenant, user=user).first()
    if existing is not None:
        return existing
    return membership_grant(actor=Actor.system(tenant), user=user, role=role, organisation=organisation)


def seed(context: dict[str, Any]) -> None:
    """Tenants, reference data, accounts and CSOs, written through the services (idempotent).

    Adds to ``context["tenants"][slug]``: tenant, regions, organisations, users (by account
    local part) and actors (the same accounts as relais.actor.Actor, for later apps' seeding).
    """
    with transaction.atomic():
        for spec in TENANTS:
            tenant = Tenant.objects.filter(slug=spec["slug"]).first() or tenant_create(
                name=spec["name"], slug=spec["slug"], reference_prefix=spec["reference_prefix"]
            )
            regions = {}
            for index, (name, zone) in enumerate(MALI_REGIONS):
                regions[name], _ = Region.objects.get_or_create(
                    tenant=tenant, name=name, defaults={"zone": zone, "ordering": index}
                )
            for fr, en in FOCUS_AREAS:
                FocusArea.objects.get_or_create(tenant=tenant, name=fr, defaults={"name_en": en})
            users = {local: _user(demo_email(local, tenant.slug), ROLE_NAMES[local]) for local, _role in DEMO_ROLES}
            memberships = {local: _membership(tenant, users[local], role)
                           for local, role in DEMO_ROLES if role != Role.APPLICANT}
            manager = Actor.of(memberships["manager"])
            organisations = {}
            for acronym, name, region in spec["organisations"]:
                data = {"name": name, "acronym": acronym, "region": regions[region]}
                organisations[acronym] = Organisation.objects.filter(tenant=tenant, acronym=acronym).first() or (
                    organisation_write(actor=manager, data=data, extra_audit={"source": "seed_demo"})
                )
            for local, role in DEMO_ROLES:
                if role == Role.APPLICANT:
                    memberships[local] = _membership(tenant, users[local], role, organisations[spec["applicant_org"]])
            actors = {local: Actor.of(membership) for local, membership in memberships.items()}
            _seed_profiles(organisations, actors)
            context.setdefault("tenants", {})[tenant.slug] = {
                "tenant": tenant, "regions": regions, "organisations": organisations, "users": users,
                "actors": actors,
                # Later apps' seeding gets a CSO ready to be paid through this (see make_payable).
                "make_payable": lambda organisation, actors=actors: make_payable(organisation, actors),
            }

    from .demo_checks import seed as seed_checks

    seed_checks(context)


def make_payable(organisation: Organisation, actors: dict[str, Actor]) -> None:
    """What the demo's finance and programme staff do before paying a CSO: screen it again when its
    screening no longer covers it, and have payment details entered by one finance officer and
    verified by the other (four eyes). Handed to later apps' seeding through the context, so grants'
    demo pays without importing the registry's services."""
    from relais.payability import SCREENING, organisation_check

    from .services.screening import screening_decide, screening_run

    manager, finance, finance2 = actors["manager"], actors["finance"], actors["finance2"]
    today = timezone.localdate()
    if not organisation_check(SCREENING, actor=manager, organisation=organisation, today=today):
        screening = screening_run(actor=manager, organisation=organisation)
        if screening.decision == ScreeningDecision.PENDING:
            screening_decide(actor=manager, screening=screening, decision=ScreeningDecision.FALSE_POSITIVE,
                             reason="Homonymie vérifiée avec les pièces d'identité des dirigeants.")
    details = PaymentDetails.objects.filter(tenant=organisation.tenant, organisation=organisation).first()
    if details is None or not details.bank_account:
        details = payment_details_update(organisation=organisation, actor=finance, data={
            "bank_name": "BDM-SA", "bank_account": "ML016 01201 020401234567 89",
            "bank_account_holder": organisation.name, "mobile_operator": MobileOperator.ORANGE,
            "mobile_number": "+223 76 12 34 56", "mobile_holder": organisation.name})
    if details.status != PaymentDetailsStatus.VERIFIED:
        verifier = finance2 if details.changed_by_id == finance.user_id else finance
        payment_details_verify(details=details, actor=verifier)
