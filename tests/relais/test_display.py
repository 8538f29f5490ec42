"""ReadOnlyView: a template reads the listed names and the replacements, nothing else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError

from relais.display import ReadOnlyView


@pytest.fixture
def details():
    target = SimpleNamespace(bank_name="BDM-SA", bank_account="ML13 0001 2222 3333 4321", holder="Mme Diarra")
    return ReadOnlyView(target, fields={"bank_name"}, bank_account="•••• 4321")


def test_listed_names_read_through_and_replacements_stand_in(details):
    assert details.bank_name == "BDM-SA"
    assert details.bank_account == "•••• 4321"
    with pytest.raises(AttributeError):
        details.holder  # noqa: B018  (not listed: absent)
    with pytest.raises(AttributeError):
        details.bank_name = "x"


def test_a_template_cannot_print_what_is_not_listed(details):
    html = Template("{{ d.bank_name }}|{{ d.bank_account }}|{{ d.holder }}").render(Context({"d": details}))
    assert html == "BDM-SA|•••• 4321|"
    with pytest.raises(TemplateSyntaxError):
        Template("{{ d._target.bank_account }}")
