"""Sanctions matching of names written in Arabic script (orgs/sanctions.py).

The list gives many names in their original script too (NAME_ORIGINAL_SCRIPT);
transliterating Arabic drops the short vowels, so Arabic is compared with Arabic.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from orgs.sanctions import DEFAULT_THRESHOLD, find_matches, fold_name, parse_un_xml
from orgs.services.screening import sanctions_list_import, screening_run
from relais.actor import Actor
from relais.models import Role
from tests.factories import MembershipFactory

UN_SAMPLE = Path(django_settings.BASE_DIR) / "orgs" / "fixtures" / "sanctions_sample_un.xml"


def entry(*names: str) -> tuple[list[str], list[str]]:
    """An entry as the screening service passes it: display names, then folded names
    (deduplicated, as SanctionsEntry.folded_names is stored)."""
    folded: list[str] = []
    for name in names:
        if fold_name(name) and fold_name(name) not in folded:
            folded.append(fold_name(name))
    return list(names), folded


def screened(names, entries):
    return {(m.screened_name, m.entry_index, m.matched_name) for m in find_matches(names, entries)}


# --- parsing --------------------------------------------------------------------------

def test_the_un_xml_parser_reads_names_in_the_original_script():
    entries = {e.reference: e for e in parse_un_xml(UN_SAMPLE.read_bytes())}
    assert entries["FIC.007"].aliases == ["Yusuf Ag Asherif", "يوسف أغ الشريف"]
    assert entries["FIC.E01"].is_entity and "كتيبة الواحات الصحراوية" in entries["FIC.E01"].aliases
    assert entries["FIC.001"].aliases == ["Mohamed Ag-Alwali", "Abou Alouali"]  # none given: none added


def test_an_original_script_name_equal_to_the_name_is_not_repeated():
    xml = ("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>سيدي</FIRST_NAME>"
           "<NAME_ORIGINAL_SCRIPT> سيدي </NAME_ORIGINAL_SCRIPT><NAME_ORIGINAL_SCRIPT/></INDIVIDUAL>"
           "</INDIVIDUALS></CONSOLIDATED_LIST>").encode()
    [only] = parse_un_xml(xml)
    assert only.primary_name == "سيدي" and only.aliases == []


# --- matching -------------------------------------------------------------------------

ISSUE_ENTRY = entry("IYAD AG GHALI", "إياد آغ غالي")


@pytest.mark.parametrize("name", [
    "إياد أغ غالي",  # hamza above instead of madda
    "إِيَادْ أَغْ غَالِي",  # with harakat
    "اياد اغ غالى",  # bare alef, alef maqsura for ya
    "إيـــاد  أغ غالي",  # tatweel and a double space
])
def test_an_arabic_name_matches_the_arabic_name_of_the_list(name):
    assert screened([name], [ISSUE_ENTRY]) == {(name, 0, "إياد آغ غالي")}


def test_ta_marbuta_hamza_on_waw_and_ya_are_normalised():
    entries = [entry("Fictional Fatouma Diko", "فاطمة ديكو"), entry("Fictional Raouf Saidi", "رؤوف السائدي")]
    assert screened(["فاطمه ديكو", "روؤف السايدي"], entries) == {
        ("فاطمه ديكو", 0, "فاطمة ديكو"), ("روؤف السايدي", 1, "رؤوف السائدي"),
    }


ORDINARY_ARABIC_NAMES = ["محمد علي", "أحمد علي", "عائشة تراوري", "موسى كوليبالي", "آمنة سيسي",
                         "إبراهيم كيتا", "فاطمة ديكو", "عيسى مايغا", "جمعية نساء من أجل السلام"]


def test_ordinary_arabic_names_do_not_match_each_other():
    # Transliterated, "محمد علي" and "أحمد علي" fold to "mhmd ali" / "hmd ali" (91, a match);
    # in Arabic letters Mohamed and Ahmed stay apart.
    for one, other in itertools.permutations(ORDINARY_ARABIC_NAMES, 2):
        assert screened([one], [entry(f"FICTIONAL {other}", other)]) == set(), (one, other)


def test_ordinary_arabic_names_do_not_match_the_sample_list():
    listed = [entry(e.primary_name, *e.aliases) for e in parse_un_xml(UN_SAMPLE.read_bytes())]
    assert find_matches(ORDINARY_ARABIC_NAMES, listed) == []


def test_latin_spellings_still_match_and_report_the_latin_name():
    listed = [entry(e.primary_name, *e.aliases) for e in parse_un_xml(UN_SAMPLE.read_bytes())]
    references = [e.reference for e in parse_un_xml(UN_SAMPLE.read_bytes())]
    matches = find_matches(["Youssouf Ag Achérif", "Katiba El-Wahat", "Abu Aluali"], listed)
    assert {(m.screened_name, references[m.entry_index], m.matched_name) for m in matches} == {
        ("Youssouf Ag Achérif", "FIC.007", "YOUSSOUF AG ACHERIF"),
        ("Katiba El-Wahat", "FIC.E01", "Katiba el Wahat"),
        # The entry's second name folds like its first: the alias that matched is still named.
        ("Abu Aluali", "FIC.001", "Abou Alouali"),
    }
    assert all(m.score >= DEFAULT_THRESHOLD for m in matches)


# --- screening ------------------------------------------------------------------------

def test_a_member_whose_name_is_written_in_arabic_is_a_candidate(world_a):
    sanctions_list_import(actor=Actor.system(world_a.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="يُوسُف اغ الشريف")
    screening = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    candidate = screening.candidates.get()
    assert candidate.entry.reference == "FIC.007"
    assert (candidate.screened_name, candidate.matched_name) == ("يُوسُف اغ الشريف", "يوسف أغ الشريف")
    html = world_a.client_for(Role.MANAGER).get(reverse(
        "orgs:screening_detail", kwargs={"tenant_slug": world_a.tenant.slug, "screening_pk": screening.pk})
    ).content.decode()
    assert "يُوسُف اغ الشريف" in html and "يوسف أغ الشريف" in html and "FIC.007" in html
