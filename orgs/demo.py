"""Demo data for orgs: the two tenants of DOMAIN.md, their CSOs and accounts.

Called by ``manage.py seed_demo`` (idempotent). Later apps add their own
``<app>/demo.py`` with a ``seed(context)`` function; seed_demo calls them in
INSTALLED_APPS order and passes the same context dict along.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import FocusArea, Membership, Organisation, Region, Role, Tenant, User, Zone
from .models.organisations import fold
from .services.audit import audit_record
from .services.tenancy import membership_grant

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


def demo_email(local: str, slug: str) -> str:
    return f"{local}@{slug}.demo"


def _user(email: str, full_name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"username": email, "full_name": full_name})
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed(context: dict[str, Any]) -> None:
    with transaction.atomic():
        for spec in TENANTS:
            tenant, created = Tenant.objects.get_or_create(
                slug=spec["slug"],
                defaults={"name": spec["name"], "reference_prefix": spec["reference_prefix"]},
            )
            if created:
                audit_record(tenant=tenant, actor=None, action="tenant.created", target=tenant,
                             after={"name": tenant.name, "slug": tenant.slug, "source": "seed_demo"})
            regions = {}
            for index, (name, zone) in enumerate(MALI_REGIONS):
                regions[name], _ = Region.objects.get_or_create(
                    tenant=tenant, name=name, defaults={"zone": zone, "ordering": index}
                )
            for fr, en in FOCUS_AREAS:
                FocusArea.objects.get_or_create(tenant=tenant, name=fr, defaults={"name_en": en})
            organisations = {}
            for acronym, name, region in spec["organisations"]:
                organisations[acronym], _ = Organisation.objects.get_or_create(
                    tenant=tenant, acronym=acronym,
                    defaults={"name": name, "region": regions[region], "search_name": fold(f"{name} {acronym}")},
                )
            users = {}
            for local, role in DEMO_ROLES:
                user = _user(demo_email(local, tenant.slug), ROLE_NAMES[local])
                users[local] = user
                if not Membership.objects.filter(tenant=tenant, user=user).exists():
                    membership_grant(
                        tenant=tenant, user=user, role=role, actor=None,
                        organisation=organisations[spec["applicant_org"]] if role == Role.APPLICANT else None,
                    )
            context.setdefault("tenants", {})[tenant.slug] = {
                "tenant": tenant, "regions": regions, "organisations": organisations, "users": users,
            }

    from .demo_checks import seed as seed_checks

    seed_checks(context)
