"""Optimistic concurrency for editable records: two tabs (or two people) never overwrite each other.

A page that edits a record carries the version it was loaded from (`Stamp`: the record's
`version` and a short digest of every value the page showed, as hidden inputs). The service
saves with a compare-and-swap (`claim_version`): `UPDATE … SET version = version + 1 WHERE
pk = … AND version = …`, one statement, so two concurrent saves of the same version cannot
both pass (on PostgreSQL the second waits for the first's row lock, then matches no row).

When the version moved on, `save_versioned` compares three sides, field by field: what the
page showed (the digests), what the person sent and what is saved now.
- The other side changed nothing this page shows, or changed it to what the person sent:
  the save goes on, on top of the new version (another section of the same application).
- Otherwise `Stale` is raised: the changes with readable labels (old → new when the person
  kept the old value; both texts when they changed it too), the data to show again (what
  the person typed, with the other side's values where the person had not touched the
  field) and a fresh stamp, so that saving again after checking succeeds.

A POST without a version (an older page, a script) is saved without the check; every page
that edits a versioned record renders `relais/_version.html`. A page that is one save of the whole
record (the training grids) reads its version with `page_version`: a missing or garbled one is stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.db.models import F
from django.forms.boundfield import BoundField
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relais.errors import Refused
from relais.ids import pk_like

VERSION_INPUT = "_version"
LOADED_INPUT = "_loaded"
_DIGEST_CHARS = 8
T = TypeVar("T")
FormLike = forms.BaseForm | BaseFormSet


class Versioned(models.Model):
    """An editable record that two people (or two tabs) may change: saved only by compare-and-swap."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Change:
    """One value the other side changed. `old` is known when the person had kept it; `yours` is what
    they typed when they changed it too (a conflict: their text stays in the form)."""

    label: str
    new: str
    old: str | None = None
    yours: str | None = None


class Stale(Refused):
    """The record was saved by someone else since the page was loaded; nothing of this save was kept."""

    def __init__(self, changes: Sequence[Change] = (), *, current_version: int | None = None,
                 stamp: Stamp | None = None, data: QueryDict | None = None) -> None:
        super().__init__(gettext("Someone else saved this record since you opened it."), code="stale")
        self.changes = list(changes)
        self.current_version = current_version
        self.stamp = stamp  # what the page carries next: the version and values saved now
        self.data = data  # what the form shows next: the typed values, merged with the other side's


def claim_version(obj: Versioned, *, expected: int | None) -> int:
    """Compare-and-swap the record's version inside the caller's transaction, before it writes.

    `expected=None` (a writer without a page: seeding, commands) bumps the version unconditionally.
    Raises Stale when the row's version is not `expected` any more. Sets and returns the new version,
    so that a later `obj.save()` writes it unchanged.
    """
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    matched = rows if expected is None else rows.filter(version=expected)
    if not matched.update(version=F("version") + 1):
        raise Stale(current_version=rows.values_list("version", flat=True).first())
    obj.version = rows.values_list("version", flat=True).get()
    return obj.version


def page_version(raw: object) -> int:
    """The version a page posted, for a page whose submit saves the whole record (a grid). Missing or
    garbled (a lost hidden input, "²") raises Stale: such a post is never written without the check."""
    text = str(raw or "")
    if not pk_like(text):
        raise Stale()
    return int(text)


# --- what a page showed: the stamp ---------------------------------------------------------------


def _compared(bound: BoundField) -> bool:
    field_ = bound.field
    return not (bound.is_hidden or field_.disabled or isinstance(field_, forms.FileField)
                or bound.name == "DELETE")


def _inputs(groups: Iterable[FormLike]) -> Iterator[tuple[FormLike, BoundField, int | None]]:
    """Every compared input of the page's forms: (form or formset, bound field, row number or None)."""
    for group in groups:
        if isinstance(group, BaseFormSet):
            for row, form in enumerate(group.forms, start=1):
                for bound in form:
                    if _compared(bound):
                        yield group, bound, row
        else:
            for bound in group:
                if _compared(bound):
                    yield group, bound, None


def _values(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (list, tuple)):
        return [str(v) for v in values if v not in (None, "")]
    return [str(values)] if str(values) != "" else []


def rendered(bound: BoundField) -> list[str]:
    """What an unbound field puts in the page, as the browser sends it back when left alone."""
    widget = bound.field.widget
    value = bound.value()
    if isinstance(widget, forms.CheckboxInput):
        return ["on"] if widget.check_test(value) else []
    return _values(widget.format_value(value))


def sent(bound: BoundField) -> list[str]:
    """What the browser sent for a bound field."""
    value = bound.data
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return ["on"] if value else []
    return _values(value)


def _canon(values: list[str]) -> str:
    # Browsers send textarea lines with CRLF; forms strip the ends; a multiple choice has no order.
    cleaned = (value.replace("\r\n", "\n").strip() for value in values)
    return "\x1f".join(sorted(value for value in cleaned if value))


def _digest(values: list[str]) -> str:
    return hashlib.sha256(_canon(values).encode()).hexdigest()[:_DIGEST_CHARS]


_EMPTY = _digest([])


@dataclass(frozen=True)
class Stamp:
    """The version a page was loaded from and a digest of each value it showed, by input name."""

    version: int | None
    digests: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, version: int, groups: Iterable[FormLike]) -> Stamp:
        """The stamp of unbound forms showing the record at `version`."""
        return cls(version, {bound.html_name: _digest(rendered(bound)) for _, bound, _ in _inputs(groups)
                             if rendered(bound)})

    @classmethod
    def posted(cls, data: QueryDict | Mapping[str, Any]) -> Stamp:
        """The stamp a POST (or a rescued draft) carries; version None when it carries none."""
        raw = str(data.get(VERSION_INPUT) or "")
        if not pk_like(raw):  # "²".isdigit() is True but int("²") raises
            return cls(None)
        digests = {}
        for pair in str(data.get(LOADED_INPUT) or "").split(","):
            name, _, digest = pair.rpartition(":")
            if name and digest:
                digests[name] = digest
        return cls(int(raw), digests)

    @property
    def encoded(self) -> str:
        return ",".join(f"{name}:{digest}" for name, digest in self.digests.items())

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "loaded": self.encoded}


# --- what the other side changed -------------------------------------------------------------------


def _label(bound: BoundField, row: int | None) -> str:
    label = str(bound.label or bound.name)
    return label if row is None else gettext("%(field)s (row %(row)s)") % {"field": label, "row": row}


def _display(bound: BoundField, values: list[str]) -> str:
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return gettext("yes") if values else gettext("no")
    choices = getattr(bound.field, "choices", None)
    if choices is not None and values:
        labels = {str(key): str(text) for key, text in choices if not isinstance(text, (list, tuple))}
        return ", ".join(labels.get(value, value) for value in values)
    return ", ".join(value.replace("\r\n", "\n") for value in values)


def _put(data: QueryDict, name: str, values: list[str]) -> None:
    if values:
        data.setlist(name, values)
    else:  # an empty list would read back as [] instead of "nothing sent"
        data.pop(name, None)


def compare(stamp: Stamp, posted: Iterable[FormLike], current: Iterable[FormLike],
            data: QueryDict | Mapping[str, Any]) -> tuple[list[Change], QueryDict]:
    """The other side's changes that this save would undo or collide with, and the data to show again.

    `posted`: the forms bound to what the person sent; `current`: unbound forms of the record as saved
    now (the same forms, so the same input names). A formset the person did not touch is shown again
    as saved now; one they changed keeps their rows (the other side's rows are listed).
    """
    sent_inputs = {bound.html_name: (group, bound, row) for group, bound, row in _inputs(posted)}
    current = list(current)
    now_inputs = {bound.html_name: (group, bound, row) for group, bound, row in _inputs(current)}
    merged = QueryDict(mutable=True)
    for name in data:
        merged.setlist(name, list(data.getlist(name)) if isinstance(data, QueryDict) else _values(data[name]))
    # Formsets are taken whole: one the person changed keeps their rows, one they did not is shown as saved now.
    touched = {group.prefix for name, (group, bound, _) in sent_inputs.items()
               if isinstance(group, BaseFormSet) and _digest(sent(bound)) != stamp.digests.get(name, _EMPTY)}
    changes: list[Change] = []
    renew: set[str] = set()
    for name in dict.fromkeys([*now_inputs, *sent_inputs]):
        loaded = stamp.digests.get(name, _EMPTY)
        now_group, now_bound, now_row = now_inputs.get(name, (None, None, None))
        sent_group, sent_bound, sent_row = sent_inputs.get(name, (None, None, None))
        now = rendered(now_bound) if now_bound is not None else []
        mine = sent(sent_bound) if sent_bound is not None else []
        if _digest(now) == loaded or _canon(now) == _canon(mine):
            continue  # the other side left it, or wrote what this person sends
        bound = now_bound or sent_bound
        group = now_group or sent_group
        assert bound is not None and group is not None
        label = _label(bound, now_row if now_bound is not None else sent_row)
        if _digest(mine) == loaded:
            changes.append(Change(label=label, old=_display(bound, mine), new=_display(bound, now)))
        else:
            changes.append(Change(label=label, new=_display(bound, now), yours=_display(bound, mine)))
        if isinstance(group, BaseFormSet):
            if group.prefix not in touched:
                renew.add(str(group.prefix))
        elif _digest(mine) == loaded:
            _put(merged, name, now)
    for group in current:
        if not (isinstance(group, BaseFormSet) and group.prefix in renew):
            continue
        for name in [name for name in merged if name.startswith(f"{group.prefix}-")]:
            del merged[name]
        for form in [group.management_form, *group.forms]:
            for bound in form:
                _put(merged, bound.html_name, rendered(bound))
    return changes, merged


def stale_since(*, stamp: Stamp, data: QueryDict | Mapping[str, Any], posted: Iterable[FormLike],
                current: Callable[[], tuple[int, Sequence[FormLike]]]) -> Stale | None:
    """For text shown again that was typed on an older version (a rescued draft): the other side's
    changes as a Stale to show (not raised), or None when nothing this page shows changed since."""
    if stamp.version is None:
        return None
    version, now = current()
    if version == stamp.version:
        return None
    changes, merged = compare(stamp, posted, now, data)
    if not changes:
        return None  # the next save goes on top of the new version (save_versioned)
    return Stale(changes, current_version=version, stamp=Stamp.of(version, now), data=merged)


def save_versioned(*, stamp: Stamp, data: QueryDict | Mapping[str, Any], posted: Iterable[FormLike],
                   save: Callable[[int | None], T], current: Callable[[], tuple[int, Sequence[FormLike]]],
                   attempts: int = 3) -> T:
    """Save with the page's version (`save(expected_version)` calls the service); when the version moved
    on, save on top of it if the other side changed nothing this page would undo, else raise Stale.

    `current()` reads the record again: its version and unbound forms showing it.
    """
    posted = list(posted)
    expected = stamp.version
    for _attempt in range(attempts):
        try:
            return save(expected)
        except Stale:
            version, now = current()
        changes, merged = compare(stamp, posted, now, data)
        if changes:
            raise Stale(changes, current_version=version, stamp=Stamp.of(version, now), data=merged)
        expected = version
    raise Stale(current_version=version, stamp=Stamp.of(version, now), data=merged)
