"""The audit trail as sentences: "Aminata Traoré a approuvé la demande PD-2026-004 : 6 000 000 FCFA".

The kernel knows no feature model. Each app registers, from its ``AppConfig.ready()``, how to name
and link the objects its events are about (``register_audit_target``), which recorded keys are
amounts or point to other objects (``register_audit_values``), and a sentence per action
(``relais.audit_labels.register_audit_sentences``). State names come from the registered state
machines. A page of events is described with one statement for the workspace's object types on the
page (and one query per other type), never one per row (``describe_events``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import TYPE_CHECKING, Any, TypeAlias

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import Field, ForeignKey, Model, Q, QuerySet
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from relais import sql
from relais.audit_labels import audit_label, audit_sentence
from relais.links import pk_url_maker
from relais.models import AuditEvent, Tenant
from relais.money import format_money
from relais.sql import Converter
from relais.widgets import fast_conditional_escape as _escape
from relais.workflow import StateMachine, registered_machines

if TYPE_CHECKING:
    from relais.selectors import EventRow

SYSTEM_NAME = "Relais"  # who acted when no person did (commands, tasks, the engine's system steps)


@dataclass(frozen=True)
class AuditTarget:
    """How to name one kind of object in sentences.

    ``noun`` is a translatable phrase with ``%(name)s`` and its article ("the application
    %(name)s" → "la demande %(name)s", so French gender is the translator's); ``objects(tenant)``
    returns the tenant's rows (the kernel filters and reads them, it adds no join of its own);
    ``search_fields`` let the audit log's object filter take a reference instead of an id.

    A page names its objects from plain rows (one statement for the ``tenant_field`` types, else one
    ``values()`` query per type): ``columns`` are the lookups ``name`` reads ("reference",
    "organisation__acronym"), ``name(row)`` gets them in a dict with the row's ``pk``; no model is
    instantiated and no relation selected (issue 10). The names are read at every page view: a
    renamed organisation shows its new name.
    """

    model_label: str
    noun: Any
    objects: Callable[[Tenant], QuerySet]
    name: Callable[[dict[str, Any]], str] = field(default=lambda row: str(row["pk"]))
    columns: tuple[str, ...] = ()
    # The column holding the object's currency (amounts in its events are shown with it).
    currency: str | None = None
    search_fields: tuple[str, ...] = ()
    # Action prefixes about this kind of object when they are not its model's name ("contact.created").
    action_prefixes: tuple[str, ...] = ()
    # Where the name links to, always a page of the request's workspace, so no tenant is joined for
    # its slug and each URL is reversed once per page and type: ``link`` = (URL name, its pk keyword,
    # the column holding the pk: "pk" or e.g. "application_id"); ``page`` = a URL name that takes the
    # workspace only (the members page, the geography page).
    link: tuple[str, str, str] | None = None
    page: str | None = None
    # The foreign key to the workspace when ``objects(tenant)`` is exactly the rows whose ``tenant_field``
    # is the tenant: the page then names them with a statement written once from ``columns`` (the
    # ORM's joins: inner along non-null keys, left outer otherwise), not a values() query built and
    # compiled on every view (issue 10). Leave it None for any other selection (the ORM reads those).
    tenant_field: str | None = None

    def read_columns(self) -> tuple[str, ...]:
        """What ``_load`` asks of each row: the pk, ``columns``, the currency and the link's column."""
        extra = [self.currency] if self.currency else []
        if self.link is not None:
            extra.append(self.link[2])
        return tuple(dict.fromkeys(("pk", *self.columns, *extra)))


@dataclass(frozen=True)
class Described:
    name: str
    url: str | None = None
    currency: str | None = None


_TARGETS: dict[str, AuditTarget] = {}
_MONEY_KEYS: set[str] = set()
_REFERENCE_KEYS: dict[str, str] = {}  # recorded key -> target type its value is the id of
_FIELD_LABELS: dict[str, Any] = {}


def register_audit_target(target: AuditTarget) -> None:
    _TARGETS[target.model_label] = target


def register_audit_values(*, money: Iterable[str] = (), references: dict[str, str] | None = None,
                          labels: dict[str, Any] | None = None) -> None:
    """``money``: keys holding an amount (shown with the currency); ``references``: keys holding the
    id of another registered object (shown by its name); ``labels``: readable names of keys."""
    _MONEY_KEYS.update(money)
    _REFERENCE_KEYS.update(references or {})
    _FIELD_LABELS.update(labels or {})


def audit_targets() -> dict[str, AuditTarget]:
    return dict(_TARGETS)


# The filter's choices per language, with what they were built from: some hundred labels grouped and
# sorted cost more than the page's events (issue 10); they change only when an app registers more.
_CHOICES: dict[tuple[str, int, int, int], tuple[list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]] = {}


def filter_choices_key() -> tuple[str, int, int, int]:
    """What the filter choices depend on: the language, and the registry's size (labels, object types, machines)."""
    from relais.audit_labels import audit_actions

    return translation.get_language() or "", len(audit_actions()), len(_TARGETS), len(registered_machines())


def filter_choices() -> tuple[list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """The audit log's action choices (``action_choices``) and object types (by readable name), built
    once per language and registry size, not once per page view. Callers must not change them."""
    key = filter_choices_key()
    if key not in _CHOICES:
        types = sorted(((t, target_type_label(t)) for t in _TARGETS), key=lambda c: c[1].casefold())
        _CHOICES[key] = (action_choices(), types)
    return _CHOICES[key]


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The labelled actions grouped by the kind of object they are about ("Approve" under
    "Application"), for the audit log's action filter: a bounded list, grouped, sorted by label."""
    from relais.audit_labels import audit_actions

    models: dict[str, type[Model]] = {m.name: m.model for m in registered_machines()}
    for label, target in _TARGETS.items():
        model = _model(label)
        if model is not None:
            for prefix in (model._meta.model_name or "", *target.action_prefixes):
                models.setdefault(prefix, model)
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code in audit_actions():
        prefix = code.split(".", 1)[0]
        model = models.get(prefix) or models.get(prefix.replace("_", ""))
        group = str(model._meta.verbose_name).capitalize() if model is not None else _("Other")
        groups[group].append((code, audit_label(code)))
    return [(group, sorted(choices, key=lambda c: c[1].casefold()))
            for group, choices in sorted(groups.items(), key=lambda g: g[0].casefold())]


def target_type_label(target_type: str) -> str:
    model = _model(target_type)
    return str(model._meta.verbose_name).capitalize() if model is not None else target_type


def target_ids_for(*, tenant: Tenant, target_type: str, text: str) -> list[str]:
    """The ids an object filter means: the id itself, or the rows whose reference matches."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return [text]
    target = _TARGETS.get(target_type)
    if target is None or not target.search_fields or not text:
        return []
    query = Q()
    for name in target.search_fields:
        query |= Q(**{f"{name}__iexact": text})
    return [str(pk) for pk in target.objects(tenant).filter(query).values_list("pk", flat=True)[:50]]


# --- describing a page of events --------------------------------------------------------------------

@dataclass
class Change:
    label: str
    before: str
    after: str

    @property
    def line(self) -> str:
        """"champ : ancienne → nouvelle valeur" (or only the side that exists)."""
        value = f"{self.before} → {self.after}" if self.before and self.after else (self.after or self.before)
        return _("%(label)s: %(value)s") % {"label": self.label, "value": value}


# An event of a page: a model instance, or values read for the unfiltered log (relais.selectors.EventRow).
Event: TypeAlias = "AuditEvent | EventRow"


@dataclass
class EventView:
    """One event as the reader sees it: a sentence (HTML with links, and plain text) and details."""

    event: Event
    html: SafeString
    text: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    action_label: str = ""
    object_name: str = ""

    @property
    def reason_line(self) -> str:
        return _("Reason: %(reason)s") % {"reason": self.reason}


def _model(target_type: str) -> type[Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _machines_by_action() -> dict[tuple[str, str], StateMachine]:
    return {(m.model._meta.label_lower, m.name): m for m in registered_machines()}


def _load(tenant: Tenant, wanted: dict[str, set[str]]) -> dict[tuple[str, str], Described]:
    """{(type, id): Described} for every registered type asked for: the types whose rows are the tenant's
    (``tenant_field``) read together with one statement (``_read_written``), any other with one values
    query of its own."""
    found: dict[tuple[str, str], Described] = {}
    asked: list[tuple[str, AuditTarget, list[Any]]] = []
    written: list[tuple[str, _Statement, list[Any]]] = []
    for target_type, ids in wanted.items():
        target = _TARGETS.get(target_type)
        model = _model(target_type)
        if target is None or model is None or not ids:
            continue
        pks = []
        for raw in ids:
            try:
                pks.append(model._meta.pk.to_python(raw))
            except (ValidationError, TypeError, ValueError):
                continue
        if pks:
            asked.append((target_type, target, pks))
            if target.tenant_field is not None and not (model is Tenant and pks == [tenant.pk]):
                written.append((target_type, _names_statement(connection, target, model), pks))
    rows_of = _read_written(tenant, written) if written else {}
    for target_type, target, pks in asked:
        columns = target.read_columns()
        rows: Iterable[dict[str, Any]]
        if target_type in rows_of:
            rows = (dict(zip(columns, values, strict=True)) for values in rows_of[target_type])
        elif _model(target_type) is Tenant and pks == [tenant.pk]:
            # The workspace itself is the request's tenant, already read: no query for it.
            rows = [{column: getattr(tenant, column) for column in columns}]
        else:
            # No ordering: the rows go into a dict, the model's default order would cost a sort.
            rows = target.objects(tenant).filter(pk__in=pks).order_by().values(*columns)
        url_of: Callable[[dict[str, Any]], str | None] = _no_url
        if target.link is not None:
            viewname, pk_kwarg, column = target.link
            url_of = partial(_link, pk_url_maker(viewname, pk_kwarg, tenant_slug=tenant.slug), column)
        elif target.page is not None:
            page_url = reverse(target.page, kwargs={"tenant_slug": tenant.slug})
            url_of = partial(_same, page_url)
        for row in rows:
            found[(target_type, str(row["pk"]))] = Described(
                name=target.name(row), url=url_of(row),
                currency=row[target.currency] if target.currency else None,
            )
    return found


def _read_written(tenant: Tenant, batch: list[tuple[str, _Statement, list[Any]]]) -> dict[str, list[list[Any]]]:
    """The rows of each type's statement, every type of the page in one UNION ALL (issue 10: one round
    trip instead of one a type: 5 types read in ~1.0 ms apart, ~0.5 ms together on PostgreSQL). Each
    branch has columns of its own, a NULL of their type in the others' (PostgreSQL types an untyped NULL
    column as text before it meets the branch that has values), and its index first; its rows come
    back converted, keyed by its type (present, even if empty)."""
    nulls = [null for entry in batch for null in entry[1].nulls]
    parts, params, slices = [], [], []
    offset = 1
    for index, (_type, statement, pks) in enumerate(batch):
        width = len(statement.columns)
        columns = [str(index), *nulls[:offset - 1], *statement.columns, *nulls[offset - 1 + width:]]
        parts.append(f"SELECT {', '.join(columns)} {statement.source.format(ids=sql.placeholders(len(pks)))}")
        params += [tenant.pk, *pks]
        slices.append(slice(offset, offset + width))
        offset += width
    rows_of: dict[str, list[list[Any]]] = {entry[0]: [] for entry in batch}
    for values in sql.fetch_rows(" UNION ALL ".join(parts), params):
        target_type, statement, _pks = batch[values[0]]
        rows_of[target_type].append(sql.convert(connection, values[slices[values[0]]], statement.converters))
    return rows_of


@dataclass(frozen=True)
class _Statement:
    columns: list[str]  # what it selects, in the order of ``read_columns()``
    nulls: list[str]  # a NULL of each column's type, for the other branches of a UNION
    source: str  # "FROM ... WHERE ...", with {ids} for the ids' placeholders; parameters: the tenant's pk, the ids
    converters: list[tuple[int, list[Converter], Any]]




def _column(field: Any) -> str:
    return str(field.column)


@sql.written_once
def _names_statement(connection: Any, target: AuditTarget, model: type[Model]) -> _Statement:
    """The SELECT of ``target.read_columns()`` for a tenant and ids, written from the model's fields
    once per type and database: what ``objects(tenant).filter(pk__in=ids).order_by().values(*columns)``
    runs, as the ORM joins (one join per path of foreign keys, inner while every key on the way is
    non-null) and with its converters. The table keeps its name, the joined ones are aliased."""
    quote = connection.ops.quote_name
    base = quote(model._meta.db_table)
    aliases: dict[tuple[str, ...], tuple[str, bool]] = {(): (base, True)}  # path -> (alias, inner)
    joins: list[str] = []
    selected: list[tuple[Field, str]] = []
    for lookup in target.read_columns():
        parts = lookup.split("__")
        current: type[Model] = model
        path: tuple[str, ...] = ()
        for part in parts[:-1]:
            relation = current._meta.get_field(part)
            if not (isinstance(relation, ForeignKey) and relation.concrete):  # and OneToOneField
                raise ImproperlyConfigured(f"{target.model_label}: {lookup} does not follow foreign keys")
            parent, parent_inner = aliases[path]
            path = (*path, part)
            related = relation.related_model
            assert isinstance(related, type)  # noqa: S101 - a model class, not the string of a lazy reference
            if path not in aliases:
                inner = parent_inner and not relation.null
                alias = quote(f"j{len(aliases)}")
                aliases[path] = (alias, inner)
                on = f"{alias}.{quote(_column(relation.target_field))} = {parent}.{quote(_column(relation))}"
                kind = "INNER" if inner else "LEFT OUTER"
                joins.append(f"{kind} JOIN {quote(related._meta.db_table)} {alias} ON {on}")
            current = related
        last = current._meta.pk if parts[-1] == "pk" else current._meta.get_field(parts[-1])
        if not isinstance(last, Field) or not last.concrete:
            raise ImproperlyConfigured(f"{target.model_label}: {lookup} is not a column")
        selected.append((last, aliases[path][0]))
    assert target.tenant_field is not None  # noqa: S101 - only called for such targets
    tenant_column = quote(_column(model._meta.get_field(target.tenant_field)))
    pk_column = quote(_column(model._meta.pk))
    return _Statement(
        columns=[f"{alias}.{quote(_column(field))}" for field, alias in selected],
        nulls=[f"CAST(NULL AS {field.cast_db_type(connection)})" for field, _alias in selected],
        source=" ".join([f"FROM {base}", *joins,
                         f"WHERE {base}.{tenant_column} = %s AND {base}.{pk_column} IN ({{ids}})"]),
        converters=sql.converters_of(connection, [(field, alias.strip('"`')) for field, alias in selected]))


def _link(url_of_pk: Callable[[Any], str], column: str, row: dict[str, Any]) -> str:
    return url_of_pk(row[column])


def _same(url: str, row: dict[str, Any]) -> str:
    return url


def _no_url(row: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class _NounForms:
    """A type's noun in the active language, translated and escaped once a page: ``text`` and ``html``
    with %(name)s (None for a type nobody registered), ``missing`` with %(id)s for a deleted row."""

    text: str | None
    html: str | None
    missing: str


def _noun_forms(target_type: str) -> _NounForms:
    target = _TARGETS.get(target_type)
    type_label = target_type_label(target_type).lower().replace("%", "%%")
    missing = _("the %(type)s no. %(id)s") % {"type": type_label, "id": "%(id)s"}
    if target is None:
        return _NounForms(None, None, missing)
    noun = str(target.noun)
    return _NounForms(noun, _escape(noun), missing)


def _noun(target_type: str, target_id: str, described: Described | None, *, html: bool,
          forms: _NounForms | None = None) -> str:
    forms = forms or _noun_forms(target_type)
    if described is None or forms.text is None or forms.html is None:
        # A deleted row, or a type nobody registered: its readable type and its number.
        text = forms.missing % {"id": target_id}
        return _escape(text) if html else text
    if not html:
        return forms.text % {"name": described.name}
    name_html = f'<a href="{_escape(described.url)}">{_escape(described.name)}</a>' if described.url \
        else _escape(described.name)
    return forms.html % {"name": name_html}


def _field_label(model: type[Model] | None, key: str) -> str:
    if key in _FIELD_LABELS:
        return str(_FIELD_LABELS[key])
    if model is not None:
        try:
            return str(getattr(model._meta.get_field(key), "verbose_name", key))
        except FieldDoesNotExist:
            pass
    return key.replace("_", " ")


def _choice_labels(model: type[Model], key: str) -> dict[Any, str] | None:
    """The readable labels of a field's choices, translated, or None for a field without choices."""
    try:
        choices = model._meta.get_field(key).flatchoices  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):
        return None
    return {value: str(label) for value, label in choices}


def _money(value: Any, currency: str | None) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return format_money(amount, currency) if currency else f"{amount:f}"


def _plain(value: Any) -> str:
    """A recorded value without Python's repr: lists joined, mappings as "key : value"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(_("%(label)s: %(value)s") % {"label": k, "value": _plain(v)} for k, v in value.items()) \
            or "—"
    return str(value)


class _Describer:
    def __init__(self, tenant: Tenant, events: Sequence[Event], *, html: bool = True) -> None:
        self.html = html
        self.machines = _machines_by_action()
        self.nouns: dict[tuple[str, str, bool], str] = {}
        self.templates: dict[str, str] = {}
        # What a page of events of a few kinds asks again and again (the model of a type, a field's
        # label, its choices' labels, an action's label): looked up and translated once a page.
        self.model = cache(_model)
        self.field_label = cache(_field_label)
        self.choice_labels = cache(_choice_labels)
        self.action_label = cache(audit_label)
        self.noun_forms = cache(_noun_forms)
        self.state_labels: dict[tuple[int, str], str] = {}
        self.from_to = _("from “%(source)s” to “%(target)s”")
        self.with_amount = _("%(sentence)s: %(amount)s")
        wanted: dict[str, set[str]] = defaultdict(set)
        for event in events:
            wanted[event.target_type].add(event.target_id)
            for values in (event.before, event.after):
                if isinstance(values, dict):
                    for key, target_type in _REFERENCE_KEYS.items():
                        if values.get(key) not in (None, "") and not isinstance(values[key], (list, dict)):
                            wanted[target_type].add(str(values[key]))
        self.found = _load(tenant, wanted)

    def value(self, model: type[Model] | None, key: str, value: Any, currency: str | None) -> str:
        if key in _MONEY_KEYS and value not in (None, ""):
            return _money(value, currency)
        if key in _REFERENCE_KEYS and value not in (None, "") and not isinstance(value, (list, dict)):
            described = self.found.get((_REFERENCE_KEYS[key], str(value)))
            return described.name if described else _("no. %(id)s") % {"id": value}
        if isinstance(value, str) and model is not None:
            labels = self.choice_labels(model, key)
            if labels is not None and value in labels:
                return labels[value]
        return _plain(value)

    def noun(self, target_type: str, target_id: str, described: Described | None, *, html: bool) -> str:
        key = (target_type, target_id, html)
        if key not in self.nouns:
            self.nouns[key] = _noun(target_type, target_id, described, html=html, forms=self.noun_forms(target_type))
        return self.nouns[key]

    def state_label(self, machine: StateMachine, value: Any) -> str:
        if not isinstance(value, str):
            return machine.state_label(value)
        key = (id(machine), value)
        if key not in self.state_labels:
            self.state_labels[key] = machine.state_label(value)
        return self.state_labels[key]

    def template(self, action: str) -> str:
        if action not in self.templates:
            template = audit_sentence(action)
            if template is None:
                template = _("%(actor)s: %(action)s, %(object)s") % {
                    "actor": "%(actor)s", "action": self.action_label(action).replace("%", "%%"),
                    "object": "%(object)s"}
            self.templates[action] = template
        return self.templates[action]

    def describe(self, event: Event) -> EventView:
        model = self.model(event.target_type)
        described = self.found.get((event.target_type, event.target_id))
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        currency = after.get("currency") or before.get("currency") or (described.currency if described else None)
        actor_name = event.actor.display_name if event.actor_id and event.actor else SYSTEM_NAME
        template = self.template(event.action)
        text = template % {"actor": actor_name, "object": self.noun(event.target_type, event.target_id, described,
                                                                     html=False)}
        html = _escape(template) % {  # the CSV export needs the text only
            "actor": _escape(actor_name),
            "object": self.noun(event.target_type, event.target_id, described, html=True)} if self.html else ""
        shown = {"currency", "reason"}
        machine = self.machines.get((event.target_type, event.action.split(".", 1)[0]))
        if machine is not None and machine.state_field in before and machine.state_field in after:
            state = self.from_to % {
                "source": self.state_label(machine, before[machine.state_field]),
                "target": self.state_label(machine, after[machine.state_field])}
            text, html = f"{text} {state}", html + " " + _escape(state)
            shown.add(machine.state_field)
        amounts = [self.value(model, k, after[k], currency) for k in after
                   if k in _MONEY_KEYS and k not in before and after[k] not in (None, "")]
        if amounts:
            text = self.with_amount % {"sentence": text, "amount": ", ".join(amounts)}
            html = _escape(self.with_amount) % {
                "sentence": html, "amount": _escape(", ".join(amounts))}
            shown.update(k for k in after if k in _MONEY_KEYS and k not in before)
        reason = str(after.get("reason") or "")
        if reason:  # a step's reason kept on the object too (status_reason, review_comment) is said once
            shown.update(k for k, v in after.items() if v == reason and k not in before)
        changes = [
            Change(label=self.field_label(model, key),
                   before=self.value(model, key, before[key], currency) if key in before else "",
                   after=self.value(model, key, after[key], currency) if key in after else "")
            for key in dict.fromkeys([*before, *after]) if key not in shown
        ]
        return EventView(event=event, html=mark_safe(html), text=text, changes=changes, reason=reason,  # noqa: S308
                         action_label=self.action_label(event.action),
                         object_name=described.name if described else event.target_id)


# Django's date format characters that are plain zero-padded numbers of a datetime.
_NUMBER_FORMATS = {"d": "{0.day:02d}", "m": "{0.month:02d}", "Y": "{0.year:04d}", "H": "{0.hour:02d}",
                   "i": "{0.minute:02d}", "s": "{0.second:02d}"}


@cache
def datetime_writer(format_string: str) -> Callable[[datetime], str]:
    """``|date:format_string`` for many datetimes: a format of plain numbers ("d/m/Y H:i", the French
    short format) becomes one ``str.format`` template, written without building a DateFormat (which
    checks the time zone) and splitting the format for each value; any other format is Django's."""
    if "\\" in format_string or not set(format_string) & set(_NUMBER_FORMATS):
        return partial(dateformat.format, format_string=format_string)
    template = []
    for char in format_string:
        if char in _NUMBER_FORMATS:
            template.append(_NUMBER_FORMATS[char])
        elif char.isascii() and char.isalpha():  # another format character: Django's formatter
            return partial(dateformat.format, format_string=format_string)
        else:
            template.append(char.replace("{", "{{").replace("}", "}}"))
    return "".join(template).format


def events_html(rows: Sequence[EventView]) -> SafeString:
    """The audit log's list items, one per described event: what relais/audit_log.html wrote with a
    template loop (date, sentence, reason and changes), written in one pass. A page holds 50 events;
    the loop was a good part of the page's time (issue 10). tests/relais/test_audit_log.py checks
    that it is the markup of the template loop."""
    items = []
    short_datetime = datetime_writer(get_format("SHORT_DATETIME_FORMAT"))  # the language's format, once a page
    for row in rows:
        created = localtime(row.event.created_at)  # as the template showed it: the current time zone
        details = ""
        if row.reason or row.changes:
            lines = [row.reason_line] if row.reason else []
            lines += [change.line for change in row.changes]
            details = "<ul>" + "".join(f"<li>{_escape(line)}</li>" for line in lines) + "</ul>"
        # |date:'c' is the ISO format of the value itself (DateFormat.c).
        items.append(f'<li><time datetime="{_escape(created.isoformat())}">'
                     f"{_escape(short_datetime(created))}</time> {_escape(row.html)}"
                     f"{details}</li>")
    return mark_safe("".join(items))  # noqa: S308 - every value went through an escape


def describe_events(events: Sequence[Event], *, tenant: Tenant, html: bool = True) -> list[EventView]:
    """The events as sentences in the active language; one query for the object types, not per event.
    ``html=False``: the plain text only (the CSV export)."""
    describer = _Describer(tenant, events, html=html)
    return [describer.describe(event) for event in events]


# --- the CSV export -------------------------------------------------------------------------------

EXPORT_BATCH = 500


def export_header() -> list[str]:
    return [_("Date (ISO 8601)"), _("Event"), _("Actor"), _("Action"), _("Object type"), _("Object id"),
            _("Object"), _("Before (JSON)"), _("After (JSON)")]


def export_rows(events: QuerySet[AuditEvent], *, tenant: Tenant, language: str) -> Iterator[list[object]]:
    """The rows of the export, described batch by batch: the queryset is read with a server-side
    cursor where the database has one, so 220,000 events never sit in memory together."""
    batch: list[AuditEvent] = []

    def rows_of(chunk: list[AuditEvent]) -> list[list[object]]:
        with translation.override(language):
            return [[
                view.event.created_at.isoformat(), view.text,
                view.event.actor.display_name if view.event.actor else SYSTEM_NAME,
                view.event.action, view.event.target_type, view.event.target_id, view.object_name,
                json.dumps(view.event.before, ensure_ascii=False, sort_keys=True),
                json.dumps(view.event.after, ensure_ascii=False, sort_keys=True),
            ] for view in describe_events(chunk, tenant=tenant, html=False)]

    for event in events.iterator(chunk_size=EXPORT_BATCH):
        batch.append(event)
        if len(batch) == EXPORT_BATCH:
            yield from rows_of(batch)
            batch = []
    if batch:
        yield from rows_of(batch)
