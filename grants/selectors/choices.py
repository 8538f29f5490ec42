"""The calls and regions a money or report list's filter form offers, read with one hand-written statement.

Built with the ORM, the two small queries of the award list's and the finance page's drop-downs (the calls
that have awards, through an EXISTS, and the regions) cost about 1.8 ms of Python to construct and compile on
every view, for a dozen rows (issue 10). The statement never changes: it is written once, from the models'
table and column names, in SQL that SQLite and PostgreSQL both run. tests/grants/test_money_rows.py compares
its answers, order included, with the querysets it replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from orgs.models import Region
from relais.sql import table, written_once

from ..models import Award, Call, CallStatus
from ..models.calls import _localised

MAX_CALLS = 200


@dataclass(frozen=True)
class CallChoice:
    pk: int
    title_fr: str
    title_en: str

    @property
    def title(self) -> str:
        return _localised(self, "title")


@dataclass(frozen=True)
class RegionChoice:
    pk: int
    name: str


@written_once
def _statement(connection: Any, *, with_awards: bool, published: bool) -> str:
    quote = connection.ops.quote_name
    call, award, region = map(table, (Call, Award, Region))

    def col(model: type, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    conditions = [f"{col(Call, 'tenant')} = %s"]
    if with_awards:
        conditions.append(f"EXISTS (SELECT 1 FROM {award} a WHERE a.{col(Award, 'call')} = {call}.{col(Call, 'id')} "
                          f"AND a.{col(Award, 'tenant')} = %s)")
    if published:
        conditions.append(f"{col(Call, 'status')} <> %s")
    calls = (f"SELECT {col(Call, 'id')} AS pk, {col(Call, 'title_fr')} AS fr, {col(Call, 'title_en')} AS en "
             f"FROM {call} WHERE {' AND '.join(conditions)} ORDER BY {col(Call, 'id')} DESC LIMIT {MAX_CALLS}")
    return (f"SELECT 0, c.pk, -c.pk, c.fr, c.en FROM ({calls}) c UNION ALL "
            f"SELECT 1, r.{col(Region, 'id')}, r.{col(Region, 'ordering')}, r.{col(Region, 'name')}, '' "
            f"FROM {region} r WHERE r.{col(Region, 'tenant')} = %s ORDER BY 1, 3, 4")


def filter_calls_and_regions(*, tenant_id: int, with_awards: bool = False,
                             published: bool = False) -> tuple[list[CallChoice], list[RegionChoice]]:
    """The workspace's calls, newest first (at most MAX_CALLS; ``with_awards``: those that have awards;
    ``published``: not drafts), and its regions in their order (``ordering``, then name)."""
    params: list[object] = [tenant_id]
    if with_awards:
        params.append(tenant_id)
    if published:
        params.append(CallStatus.DRAFT.value)
    params.append(tenant_id)
    calls: list[CallChoice] = []
    regions: list[RegionChoice] = []
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection, with_awards=with_awards, published=published), params)
        for kind, pk, _position, first, second in cursor.fetchall():
            if kind == 0:
                calls.append(CallChoice(pk, first, second))
            else:
                regions.append(RegionChoice(pk, first))
    return calls, regions
