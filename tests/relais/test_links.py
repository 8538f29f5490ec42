"""relais.links: absolute links, and the URLs of a list's rows reversed once."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse, set_script_prefix

from relais import links


def test_a_row_url_is_what_reverse_gives_under_each_script_prefix():
    """pk_url_maker writes reverse()'s URL for each pk; its maker is kept per worker, keyed by the script prefix
    (a site served under /relais/ links there), and reverse() is not asked again for the same list."""
    def expected(pk):
        return reverse("grants:award_detail", kwargs={"tenant_slug": "bamako-1", "award_pk": pk})

    try:
        for prefix in ("/", "/relais/"):
            set_script_prefix(prefix)
            detail = links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="bamako-1")
            assert [detail(pk) for pk in (1, 42, 918273645)] == [expected(pk) for pk in (1, 42, 918273645)]
            assert detail(7).startswith(f"{prefix}bamako-1/")
            with mock.patch.object(links, "reverse") as again:
                assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="bamako-1")(5) == expected(5)
            assert not again.called
        assert links.pk_url_maker("grants:award_detail", "award_pk", tenant_slug="kayes")(3) == reverse(
            "grants:award_detail", kwargs={"tenant_slug": "kayes", "award_pk": 3})
    finally:
        set_script_prefix("/")


def test_a_childs_url_keeps_its_parents_pk_and_takes_its_own():
    """A record's children (a session's materials): the parent's pk is a fixed argument, the child's is written."""
    download = links.pk_url_maker("training:material_download", "sessionmaterial_pk", tenant_slug="wanep",
                                  training_session_pk=7)
    assert [download(pk) for pk in (3, 918273645)] == [
        reverse("training:material_download", kwargs={"tenant_slug": "wanep", "training_session_pk": 7,
                                                      "sessionmaterial_pk": pk}) for pk in (3, 918273645)]
    assert download(3) == "/wanep/training/7/materials/3/"
