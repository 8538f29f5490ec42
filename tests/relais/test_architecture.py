"""Guards that keep the architecture as docs/architecture.md describes it.

They read the source with `ast` (not regular expressions), so formatting,
comments and strings cannot fool them, and each is parametrised per file: a
failure names the file and the line.

- Only the workflow engine (`relais/workflow.py`) assigns `status`: no
  `x.status = …`, `x.status += …`, `x.status: T = …`, `setattr(x, "status", …)`
  (or `__setattr__`) nor `<queryset>.update(status=…)` in application code (relais, orgs, grants,
  training; migrations excluded). Seeding goes through the services too.
- Views, forms and template tags never touch `.objects`: they read through
  selectors and access functions.
- Every audit action the code can write has a readable label (and the label has
  a French translation). Collected: every `action=` given to `audit_record(…)`,
  every `action = "…"` assignment and `action="…"` keyword anywhere in app code
  whose value looks like an audit code (`a_b.c_d`; argparse's
  `action="store_true"` does not), both branches of `"a" if c else "b"`, the
  string assignments of a variable passed as `action=<name>`, and every
  `"<machine>.<action>"` of every registered state machine. f-strings are
  resolved through the workflow registry only: `f"{machine.name}.{row.action}"`
  (the engine) stands for every registered row, `f"<machine>.{x.action}"` for
  the rows of that registered machine; any other f-string (or expression) passed
  as an audit action cannot be enumerated and fails, naming its line.
- The kernel (`relais/`) imports no feature app (orgs, grants, training):
  absolute or relative imports, inside functions, under `TYPE_CHECKING`, and
  `importlib.import_module("…")` / `__import__("…")` with a literal name.
- grants and training take from orgs only `orgs.models` (registry concepts),
  never its services, selectors, permissions, views, uploads…
- Only the outbox (`relais/services/outbox.py`) sends mail: nobody else imports
  Django's mail API, so every e-mail has its outbox row (recipient, status, reason).

The checkers are tested on small snippets at the end of the module, so each
guard is shown to catch its violation class.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
KERNEL = "relais"
FEATURE_APPS = ("orgs", "grants", "training")
APPS = (KERNEL, *FEATURE_APPS)
ENGINE = Path("relais/workflow.py")
AUDIT_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")

apps.get_app_configs()  # the registries (labels, state machines) fill when the apps are ready


# --- Files -------------------------------------------------------------------

def _is_test_path(relative: Path) -> bool:
    return any(part in ("tests", "test") for part in relative.parts) or relative.name.startswith("test_")


def app_files(*app_names: str, migrations: bool = False) -> list[Path]:
    """Every module of the apps, relative to the project root, sorted."""
    found = []
    for app in app_names:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if (not migrations and "migrations" in relative.parts) or _is_test_path(relative):
                continue
            found.append(relative)
    return found


def _is_view_form_or_tag(relative: Path) -> bool:
    parts = relative.parts
    return (
        relative.name in ("views.py", "forms.py")
        or any(part in ("views", "forms", "templatetags") for part in parts[1:-1])
    )


def _params(paths: Iterable[Path]) -> list:
    return [pytest.param(path, id=str(path)) for path in paths]


def _parse(relative: Path) -> ast.Module:
    return ast.parse((ROOT / relative).read_text(encoding="utf-8"), filename=str(relative))


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass(frozen=True)
class Finding:
    line: int
    message: str


def _report(relative: Path | str, findings: Iterable[Finding]) -> str:
    return "\n".join(f"{relative}:{f.line}: {f.message}" for f in sorted(findings, key=lambda f: f.line))


# --- Checker: who assigns status ---------------------------------------------

def status_assignments(tree: ast.AST) -> list[Finding]:
    """Every write of an attribute named `status` that bypasses the engine."""
    findings = []

    def targets(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                yield from targets(element)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)
        else:
            yield node

    for node in ast.walk(tree):
        written: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            written = [t for target in node.targets for t in targets(target)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            written = [node.target]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            written = list(targets(node.target))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            written = [t for item in node.items if item.optional_vars is not None
                       for t in targets(item.optional_vars)]
        for target in written:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                findings.append(Finding(target.lineno, f"assigns {ast.unparse(target)} outside the workflow engine"))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("setattr", "__setattr__") and any(
                    isinstance(arg, ast.Constant) and arg.value == "status" for arg in node.args[:2]):
                findings.append(Finding(node.lineno, f"{name}(…\"status\"…) outside the workflow engine"))
            if (isinstance(func, ast.Attribute) and func.attr == "update"
                    and any(keyword.arg == "status" for keyword in node.keywords)):
                findings.append(Finding(node.lineno, f"{ast.unparse(func)}(status=…) outside the workflow engine"))
    return findings


# --- Checker: .objects -------------------------------------------------------

def objects_accesses(tree: ast.AST) -> list[Finding]:
    found = [Finding(node.lineno, f"{ast.unparse(node)}: read through a selector or an access function")
             for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "objects"]
    return sorted(found, key=lambda f: f.line)


# --- Checker: imports --------------------------------------------------------

def imported_modules(tree: ast.AST, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) for every import, relative ones resolved against `module`.

    `from a import b` yields both `a` and `a.b` (b may be a submodule); literal
    `importlib.import_module("x")` and `__import__("x")` count as imports.
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                if node.level - 1 > len(package):
                    base = []
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            if prefix:
                found.append((node.lineno, prefix))
            found += [(node.lineno, f"{prefix}.{alias.name}" if prefix else alias.name)
                      for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def _by_line(found: Iterable[tuple[int, str]], message: str) -> list[Finding]:
    """One finding per import statement, naming the most specific module it reaches."""
    names: dict[int, list[str]] = {}
    for line, name in found:
        names.setdefault(line, []).append(name)
    return [Finding(line, message % ", ".join(repr(n) for n in sorted(set(found_names), key=len)[-1:]))
            for line, found_names in names.items()]


def kernel_import_violations(tree: ast.AST, module: str, *, is_package: bool = False) -> list[Finding]:
    found = [(line, name) for line, name in imported_modules(tree, module, is_package=is_package)
             if _top(name) in FEATURE_APPS]
    return _by_line(found, "the kernel imports the feature app module %s")


def orgs_import_violations(tree: ast.AST, module: str, *, is_package: bool = False) -> list[Finding]:
    """A grants/training module may import orgs.models (and its submodules), nothing else of orgs."""
    found = []
    for line, name in imported_modules(tree, module, is_package=is_package):
        if _top(name) != "orgs" or name == "orgs.models" or name.startswith("orgs.models."):
            continue
        if name == "orgs" and _is_from_orgs_import(tree, line):
            continue  # `from orgs import x`: the package itself is the prefix; x decides
        found.append((line, name))
    return _by_line(found, "imports %s: take only registry concepts from orgs.models")


def _is_from_orgs_import(tree: ast.AST, line: int) -> bool:
    return any(isinstance(node, ast.ImportFrom) and node.lineno == line and node.module == "orgs"
               and not node.level for node in ast.walk(tree))


# --- Checker: who sends mail -------------------------------------------------

MAIL_SENDERS = frozenset({"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage",
                          "EmailMultiAlternatives", "get_connection"})
OUTBOX_SENDER = Path("relais/services/outbox.py")


def mail_sending(tree: ast.AST) -> list[Finding]:
    """Every way to send an e-mail with Django's mail API: importing it, or calling `mail.send_mail`…"""
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            names = [alias.name for alias in node.names if alias.name in MAIL_SENDERS or alias.name == "*"]
            if names or node.module == "django.core.mail" and not node.names:
                findings.append(Finding(node.lineno, f"imports {', '.join(names)} from {node.module}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "django.core" and any(
                alias.name == "mail" for alias in node.names):
            findings.append(Finding(node.lineno, "imports django.core.mail"))
        elif isinstance(node, ast.Import) and any(alias.name.startswith("django.core.mail") for alias in node.names):
            findings.append(Finding(node.lineno, "imports django.core.mail"))
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_SENDERS:
            findings.append(Finding(node.lineno, f"uses {ast.unparse(node)}"))
    return findings


# --- Checker: audit actions --------------------------------------------------

@dataclass(frozen=True)
class MachineActions:
    """What the workflow registry says: machine name -> its row actions."""

    by_machine: dict[str, frozenset[str]]

    def codes(self, machine: str | None = None) -> set[str]:
        names = [machine] if machine is not None else list(self.by_machine)
        return {f"{name}.{action}" for name in names for action in self.by_machine[name]}


def registry_actions() -> MachineActions:
    from relais.workflow import registered_machines

    return MachineActions({m.name: frozenset(row.action for row in m.transitions) for m in registered_machines()})


def _is_audit_record(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "audit_record") or (
        isinstance(func, ast.Attribute) and func.attr == "audit_record")


def _string_assignments(tree: ast.AST, name: str) -> list[ast.expr]:
    values = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name \
                and node.value is not None:
            values.append(node.value)
    return values


def audit_actions(tree: ast.AST, machines: MachineActions) -> tuple[dict[str, int], list[Finding]]:
    """({audit code: first line}, [actions that cannot be enumerated]) for one module."""
    codes: dict[str, int] = {}
    problems: list[Finding] = []

    def add(code: str, line: int) -> None:
        codes.setdefault(code, line)

    def resolve(expr: ast.expr, line: int, *, strict: bool) -> None:
        """strict: the value is certainly an audit action (audit_record's argument)."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            if strict or AUDIT_CODE.match(expr.value):
                add(expr.value, line)
        elif isinstance(expr, ast.IfExp):
            resolve(expr.body, line, strict=strict)
            resolve(expr.orelse, line, strict=strict)
        elif isinstance(expr, ast.JoinedStr):
            resolved = _resolve_fstring(expr, machines)
            if resolved is None:
                problems.append(Finding(line, f"audit action {ast.unparse(expr)} cannot be enumerated: write the "
                                              "codes as literals or take the step through a registered machine"))
            else:
                for code in resolved:
                    add(code, line)
        elif isinstance(expr, ast.Name) and strict:
            if expr.id == "action":
                return  # every `action = …` and `action=…` of app code is collected on its own
            values = _string_assignments(tree, expr.id)
            if not values:
                problems.append(Finding(line, f"audit action {expr.id!r} cannot be resolved to literal codes"))
            for value in values:
                resolve(value, line, strict=True)
        elif strict:
            problems.append(Finding(line, f"audit action {ast.unparse(expr)} cannot be resolved to literal codes"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "action":
                    resolve(keyword.value, node.lineno, strict=_is_audit_record(node))
        elif isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
                resolve(node.value, node.lineno, strict=False)
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and node.target.id == "action" and node.value is not None:
                resolve(node.value, node.lineno, strict=False)
    return codes, problems


def _resolve_fstring(expr: ast.JoinedStr, machines: MachineActions) -> set[str] | None:
    """The codes an f-string can produce, through the workflow registry, or None."""
    parts = expr.values

    def is_attr(node: ast.AST, attr: str) -> bool:
        return isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Attribute) \
            and node.value.attr == attr and node.format_spec is None and node.conversion == -1

    # f"{machine.name}.{row.action}": the engine, any registered row.
    if (len(parts) == 3 and is_attr(parts[0], "name") and isinstance(parts[1], ast.Constant)
            and parts[1].value == "." and is_attr(parts[2], "action")):
        return machines.codes()
    # f"<machine>.{row.action}": the rows of that registered machine.
    if (len(parts) == 2 and isinstance(parts[0], ast.Constant) and isinstance(parts[0].value, str)
            and parts[0].value.endswith(".") and is_attr(parts[1], "action")):
        name = parts[0].value[:-1]
        if name in machines.by_machine:
            return machines.codes(name)
    return None


# --- The guards on the real code ---------------------------------------------

STATUS_FILES = [path for path in app_files(*APPS) if path != ENGINE]
VIEW_FORM_TAG_FILES = [path for path in app_files(*APPS) if _is_view_form_or_tag(path)]
KERNEL_FILES = app_files(KERNEL, migrations=True)
GRANTS_TRAINING_FILES = app_files("grants", "training", migrations=True)
AUDIT_FILES = app_files(*APPS)


@pytest.mark.parametrize("path", _params(STATUS_FILES))
def test_only_the_workflow_engine_assigns_status(path):
    findings = status_assignments(_parse(path))
    assert not findings, "Take the step with relais.workflow.transition(...):\n" + _report(path, findings)


@pytest.mark.parametrize("path", _params(VIEW_FORM_TAG_FILES))
def test_views_forms_and_template_tags_do_not_use_objects(path):
    findings = objects_accesses(_parse(path))
    assert not findings, _report(path, findings)


@pytest.mark.parametrize("path", _params(KERNEL_FILES))
def test_the_kernel_imports_no_feature_app(path):
    findings = kernel_import_violations(_parse(path), _module_name(path), is_package=path.name == "__init__.py")
    assert not findings, "Register from the feature's AppConfig.ready() instead:\n" + _report(path, findings)


@pytest.mark.parametrize("path", _params(GRANTS_TRAINING_FILES))
def test_grants_and_training_take_only_registry_models_from_orgs(path):
    findings = orgs_import_violations(_parse(path), _module_name(path), is_package=path.name == "__init__.py")
    assert not findings, _report(path, findings)


MAIL_FILES = [path for path in app_files(*APPS, "config") if path != OUTBOX_SENDER]


@pytest.mark.parametrize("path", _params(MAIL_FILES))
def test_only_the_outbox_sends_mail(path):
    findings = mail_sending(_parse(path))
    assert not findings, ("Queue e-mails with relais.services.outbox.email_enqueue (one outbox row per recipient, "
                          "sent by its task):\n" + _report(path, findings))


def test_the_outbox_is_what_sends():
    assert mail_sending(_parse(OUTBOX_SENDER)), "the outbox no longer sends: move the guard's exception with it"
    assert Path("relais/tasks.py") in MAIL_FILES and Path("grants/tasks.py") in MAIL_FILES


def _french_catalogue() -> dict[str, str]:
    with open(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po", "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}


def _label_problems(code: str, catalogue: dict[str, str]) -> str | None:
    from relais.audit_labels import audit_label

    with translation.override("en"):
        english = audit_label(code)
    if english == code:
        return f"{code!r} has no label: add it with relais.audit_labels.register_audit_labels (French and English)"
    if not catalogue.get(english):
        return f"{code!r}: its label {english!r} has no French translation in locale/fr/LC_MESSAGES/django.po"
    return None


@pytest.fixture(scope="module")
def french_catalogue() -> dict[str, str]:
    return _french_catalogue()


@pytest.mark.parametrize("path", _params(AUDIT_FILES))
def test_every_audit_action_written_has_a_label(path, french_catalogue):
    codes, findings = audit_actions(_parse(path), registry_actions())
    for code, line in codes.items():
        problem = _label_problems(code, french_catalogue)
        if problem:
            findings.append(Finding(line, problem))
    assert not findings, _report(path, findings)


def _machine_params() -> list:
    from relais.workflow import registered_machines

    return [pytest.param(machine.name, id=machine.name) for machine in registered_machines()]


@pytest.mark.parametrize("name", _machine_params())
def test_every_registered_transition_has_an_audit_label(name, french_catalogue):
    problems = [problem for code in sorted(registry_actions().codes(name))
                if (problem := _label_problems(code, french_catalogue))]
    assert problems == []


def test_the_guards_see_the_code():
    """The scans are not empty by accident (a moved folder would make every guard pass)."""
    assert len(STATUS_FILES) > 50 and ENGINE not in STATUS_FILES
    assert any(p.parts[0] == "orgs" and "views" in p.parts for p in VIEW_FORM_TAG_FILES)
    assert Path("relais/templatetags/relais.py") in VIEW_FORM_TAG_FILES
    assert Path("relais/workflow.py") in KERNEL_FILES and any("migrations" in p.parts for p in KERNEL_FILES)
    assert any(p.parts[0] == "training" for p in GRANTS_TRAINING_FILES)
    assert registry_actions().by_machine, "no state machine is registered"
    written: set[str] = set()
    for path in AUDIT_FILES:
        written |= set(audit_actions(_parse(path), registry_actions())[0])
    assert {"tenant.created", "organisation.verify", "due_diligence_item.created"} <= written


# --- The checkers on snippets: each guard catches its violation class ---------

def _lines(findings: Iterable[Finding]) -> list[int]:
    return sorted(f.line for f in findings)


def test_status_checker_catches_every_form_of_assignment():
    source = (
        "app.status = 'x'\n"                       # 1
        "self.obj.status += 'x'\n"                 # 2
        "a, b.status = 1, 2\n"                     # 3
        "setattr(app, 'status', 'x')\n"            # 4
        "Call.objects.filter(pk=1).update(status='x')\n"  # 5
        "app.status: str = 'x'\n"                  # 6
        "for row.status in values: pass\n"         # 7
        "status = 'x'\n"                           # 8  a local name: fine
        "app.status_reason = 'x'\n"                # 9  another field: fine
        "if app.status == 'x': pass\n"             # 10 a read: fine
        "Call.objects.create(status='x')\n"        # 11 creating a row: fine
        "setattr(app, field, 'x')\n"               # 12 not a literal name: only the engine does this
        "x = {'status': 1}\n"                      # 13
        "object.__setattr__(app, 'status', 'x')\n"  # 14
        "app.__setattr__('status', 'x')\n"          # 15
    )
    assert _lines(status_assignments(ast.parse(source))) == [1, 2, 3, 4, 5, 6, 7, 14, 15]


def test_objects_checker_catches_manager_access():
    source = (
        "from grants.models import Call\n"
        "def view(request):\n"
        "    call = Call.objects.get(pk=1)\n"           # 3
        "    return Call._default_manager.all()\n"      # 4: not `.objects`
        "objects = []\n"                                # 5: a name, not an attribute
        "x = apps.get_model('grants', 'Call').objects\n"  # 6
    )
    findings = objects_accesses(ast.parse(source))
    assert _lines(findings) == [3, 6]
    assert "Call.objects" in findings[0].message


def test_kernel_import_checker_resolves_every_kind_of_import():
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import orgs.models\n"                        # 3
        "from grants import services\n"               # 4
        "from .models import Tenant\n"                # 5: relais.models, fine
        "from ..training import models\n"             # 6: relative, reaches training
        "if TYPE_CHECKING:\n"
        "    from orgs.models import Organisation\n"  # 8
        "def f():\n"
        "    from grants.selectors import x\n"        # 10
        "    import importlib\n"
        "    importlib.import_module('orgs.tasks')\n"  # 12
        "    __import__('training')\n"                # 13
        "import organisations_lib\n"                  # 14: another package whose name starts alike: fine
        "from relais.orgs_like import y\n"            # 15: fine
    )
    tree = ast.parse(source)
    assert _lines(kernel_import_violations(tree, "relais.views")) == [3, 4, 6, 8, 10, 12, 13]
    assert ("relais.models" in {name for _, name in imported_modules(tree, "relais.views")})


def test_relative_imports_resolve_from_packages_and_modules():
    tree = ast.parse("from . import a\nfrom .. import b\nfrom ..c import d\n")
    assert {name for _, name in imported_modules(tree, "relais.models.tenancy")} >= {
        "relais.models.a", "relais.b", "relais.c.d"}
    assert {name for _, name in imported_modules(tree, "relais.models", is_package=True)} >= {
        "relais.models.a", "relais.b", "relais.c.d"}
    assert kernel_import_violations(ast.parse("from ..orgs import x\n"), "relais.views")


def test_orgs_import_checker_allows_only_registry_models():
    source = (
        "from orgs.models import Organisation, Region\n"  # 1 fine
        "from orgs import models\n"                       # 2 fine
        "import orgs.models.registry\n"                   # 3 fine
        "from orgs.selectors.organisations import x\n"    # 4
        "from orgs import services\n"                     # 5
        "import orgs.uploads\n"                           # 6
        "def f():\n"
        "    from orgs.permissions import can_view\n"     # 8
        "from relais.models import Role\n"                # 9 fine
        "from .models import Call\n"                      # 10 fine (grants.models)
        "import orgs\n"                                   # 11 the whole package: no
    )
    findings = orgs_import_violations(ast.parse(source), "grants.views.calls")
    assert _lines(findings) == [4, 5, 6, 8, 11]
    assert "'orgs.selectors.organisations.x'" in findings[0].message


MACHINES = MachineActions({"application": frozenset({"submit", "withdraw"}), "call": frozenset({"open"})})


def test_audit_checker_collects_literals_branches_assignments_and_machines():
    source = (
        "audit_record(tenant=t, actor=a, action='call.created', target=c)\n"                       # 1
        "audit_record(action='review.recused' if c else 'review.no_conflict_declared')\n"          # 2
        "action = 'due_diligence_item.created'\n"                                                  # 3
        "write(action='organisation.created')\n"                                                   # 4
        "parser.add_argument('--x', action='store_true')\n"                                        # 5 not a code
        "audit_record(action=f'{machine.name}.{row.action}')\n"                                    # 6 the engine
        "audit_record(action=f'application.{transition.action}')\n"                               # 7
        "code = 'x.made'\n"
        "audit_record(action=code)\n"                                                              # 9
        "audit_record(action=action)\n"                                                            # 10 collected above
        "events.exclude(action='application.section_saved')\n"                                     # 11 a filter
    )
    codes, problems = audit_actions(ast.parse(source), MACHINES)
    assert problems == []
    assert set(codes) == {
        "call.created", "review.recused", "review.no_conflict_declared", "due_diligence_item.created",
        "organisation.created", "application.submit", "application.withdraw", "call.open", "x.made",
        "application.section_saved"}
    assert codes["due_diligence_item.created"] == 3


def test_audit_checker_refuses_what_it_cannot_enumerate():
    source = (
        "audit_record(action=f'join_request.{locked.status}')\n"     # 1 a state, not a registered row
        "audit_record(action=f'unknown.{transition.action}')\n"      # 2 no such machine
        "action = f'organisation_document.{decision}'\n"             # 3
        "audit_record(action=make_code())\n"                         # 4
        "audit_record(action=code)\n"                                # 5 never assigned
    )
    _, problems = audit_actions(ast.parse(source), MACHINES)
    assert _lines(problems) == [1, 2, 3, 4, 5]


def test_a_code_without_a_label_is_reported(french_catalogue):
    assert _label_problems("nobody.registered_this", french_catalogue) is not None
    assert _label_problems("tenant.created", french_catalogue) is None


def test_mail_checker_catches_every_way_to_send():
    source = (
        "from django.core.mail import send_mail\n"                  # 1
        "from django.core import mail\n"                            # 2
        "import django.core.mail\n"                                 # 3
        "mail.send_mail('s', 'b', None, ['x@example.org'])\n"       # 4
        "from django.core.mail.message import EmailMessage\n"       # 5
        "from django.core.mail import BadHeaderError\n"             # 6 fine: not a sender
        "message.send()\n"                                          # 7 fine on its own (needs one of the above)
        "email_enqueue(actor=a, kind='k', target=t, recipients=r, template='x')\n"  # 8 fine
        "connection = mail.get_connection()\n"                      # 9
    )
    assert _lines(mail_sending(ast.parse(source))) == [1, 2, 3, 4, 5, 9]
