"""relais.links.pk_url_maker: the URL reverse() gives, with the pattern remembered per process."""

from __future__ import annotations

from unittest import mock

from django.urls import clear_script_prefix, reverse, set_script_prefix

from relais import links


def test_the_maker_writes_what_reverse_gives_for_each_pk():
    make = links.pk_url_maker("training:session_detail", "training_session_pk", tenant_slug="pd-mali")
    for pk in (1, 42, 918273):
        assert make(pk) == reverse("training:session_detail", kwargs={"tenant_slug": "pd-mali",
                                                                      "training_session_pk": pk})
    download = links.pk_url_maker("training:material_download", "sessionmaterial_pk", tenant_slug="wanep",
                                  training_session_pk=7)
    assert download(3) == "/wanep/training/7/materials/3/"


def test_a_warm_pattern_costs_no_reverse_and_another_tenant_or_prefix_gets_its_own():
    links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="pd-mali")
    with mock.patch.object(links, "reverse", side_effect=AssertionError("reversed again")):
        assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="pd-mali")(5) == "/pd-mali/awards/5/"
    assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="wanep")(5) == "/wanep/awards/5/"
    set_script_prefix("/relais/")
    try:
        assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="pd-mali")(5) == \
            "/relais/pd-mali/awards/5/"
    finally:
        clear_script_prefix()
    assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="pd-mali")(5) == "/pd-mali/awards/5/"
