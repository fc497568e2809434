"""Routing as configuration code: every connection, rule and mapping as one YAML document.

`export_document()` gives the document (secrets are never in it); `import_document(text,
dry_run=...)` checks ALL of it first, YAML syntax, structure, services, connections, adapters,
options, conditions and mappings, and raises ImportProblems listing every problem without
changing anything; otherwise it applies it in one transaction, idempotently, matched by natural
keys (connection slug, service slug, rule name, destination name). Rules and destinations of a
form in the file that the file no longer lists are deleted, but a file that would leave a live
service with no destination a case can reach is refused (Service.unrouted_reason). The format is
in docs/routing.md.

Secrets never travel in the document. An unattended deploy passes them on separately: from a
secrets file (`read_secrets`, its own YAML, never written by export) and/or from environment
variables named by `secret_env_name`; given either, every secret a connection needs must then be
known (given, or already stored), or the import is refused like any other problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import DatabaseError, transaction
from django.db.models import Prefetch

from integrations.base import Adapter
from integrations.registry import UnknownAdapter, registry
from services.forms.schema import FormSchema, SchemaError
from services.models import (
    Connection,
    Delivery,
    Destination,
    Form,
    RoutingRule,
    RoutingRuleSet,
    Service,
)
from services.models.routing import validate_connection_slug
from services.routing.conditions import validate_condition
from services.routing.connections import (
    ConnectionOptionsInvalid,
    clean_connection_options,
    kept_secrets,
)
from services.routing.decide import MODES
from services.routing.mapping import validate_mapping

FORMAT_VERSION = 1
TOP_KEYS = {"version": False, "connections": False, "forms": False}
# Key -> whether it is required.
CONNECTION_KEYS = {
    "slug": True,
    "name": True,
    "adapter": True,
    "owner_email": True,
    "active": False,
    "options": False,
    "limits": False,
}
LIMIT_KEYS = {"max_concurrency": False, "attempt_budget": False, "alert_after": False}
FORM_KEYS = {"service": True, "mode": False, "rules": False, "fallback": False}
RULE_KEYS = {"name": True, "active": False, "condition": False, "destinations": False}
DESTINATION_KEYS = {"name": True, "connection": True, "mapping": True}
DURATION = re.compile(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?")


class ImportProblems(Exception):
    """The file cannot be imported; `problems` lists every reason. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def q(value: Any) -> str:
    return f"‘{value}’"


# --- export -------------------------------------------------------------------------------------


def duration_text(value: timedelta) -> str:
    """12 hours -> "12h", 90 minutes -> "1h30m": the largest units that are exact."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def parse_duration(value: Any) -> timedelta | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    if not isinstance(value, str) or not value.strip():
        return None
    match = DURATION.fullmatch(value.strip())
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def export_document() -> dict[str, Any]:
    """All connections and rule sets as plain data, in a stable order, without secrets."""
    connections = [
        {
            "slug": c.slug,
            "name": c.name,
            "adapter": c.adapter,
            "owner_email": c.owner_email,
            "active": c.is_active,
            "options": dict(c.config or {}),
            "limits": {
                "max_concurrency": c.max_concurrency,
                "attempt_budget": duration_text(c.attempt_budget),
                "alert_after": duration_text(c.alert_after),
            },
        }
        for c in Connection.objects.order_by("slug")
    ]
    rule_sets = (
        RoutingRuleSet.objects.select_related("form__service")
        .prefetch_related(
            Prefetch("rules", queryset=RoutingRule.objects.order_by("order", "pk")),
            Prefetch(
                "destinations",
                queryset=Destination.objects.select_related("connection").order_by("pk"),
            ),
        )
        .order_by("form__service__slug")
    )
    forms = []
    for rule_set in rule_sets:
        by_rule: dict[int | None, list[dict[str, Any]]] = {}
        for d in rule_set.destinations.all():
            entry = {"name": d.name, "connection": d.connection.slug, "mapping": d.mapping}
            by_rule.setdefault(d.rule_id, []).append(entry)
        forms.append(
            {
                "service": rule_set.form.service.slug,
                "mode": rule_set.mode,
                "rules": [
                    {
                        "name": r.name,
                        "active": r.is_active,
                        "condition": r.condition,
                        "destinations": by_rule.get(r.pk, []),
                    }
                    for r in rule_set.rules.all()
                ],
                "fallback": by_rule.get(None, []),
            }
        )
    return {"version": FORMAT_VERSION, "connections": connections, "forms": forms}


def export_yaml() -> str:
    header = (
        "# Routing of My Council: connections, rules, destinations and field mappings.\n"
        "# Secrets are never exported; set them in the admin. Format: docs/routing.md\n"
    )
    return header + yaml.safe_dump(
        export_document(), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


# --- checking -----------------------------------------------------------------------------------


@dataclass
class _ConnectionPlan:
    slug: str
    values: dict[str, Any]
    adapter_class: type[Adapter]
    # Secrets given for this import (file or environment), to be stored with the connection.
    secrets: dict[str, str] = field(default_factory=dict)


@dataclass
class _FormPlan:
    service: Service
    form: Form
    mode: str
    rules: list[dict[str, Any]]  # name, active, condition, destination names
    destinations: list[dict[str, Any]]  # name, rule (name or None), connection slug, mapping


@dataclass
class Report:
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False


def parse_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "invalid"
        raise ImportProblems([f"The file is not valid YAML{where}: {problem}"]) from None
    except yaml.YAMLError as error:
        raise ImportProblems([f"The file is not valid YAML: {error}"]) from None


def secret_env_name(slug: str, option: str) -> str:
    """The environment variable that holds `option` of connection `slug`:
    waste-system's api_key is ROUTING_SECRET_WASTE_SYSTEM_API_KEY."""
    return re.sub(r"[^A-Z0-9]", "_", f"ROUTING_SECRET_{slug}_{option}".upper())


def read_secrets(text: str) -> dict[str, dict[str, str]]:
    """A secrets file: connection slug -> {secret option: value}; ImportProblems if malformed."""
    data = parse_yaml(text)
    problems = []
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ImportProblems(["The secrets file must map connection slugs to their secrets"])
    for slug, values in data.items():
        if not isinstance(values, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in values.items()
        ):
            problems.append(
                f"The secrets file, {q(slug)}: must map each secret option to its text value"
            )
    if problems:
        raise ImportProblems(problems)
    return {str(slug): dict(values) for slug, values in data.items()}


class _Checker:
    def __init__(
        self,
        secrets: Mapping[str, Mapping[str, str]] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.problems: list[str] = []
        self.connections: dict[str, _ConnectionPlan] = {}
        self.forms: list[_FormPlan] = []
        self.existing = {c.slug: c for c in Connection.objects.all()}
        self.supplied = secrets
        self.environ = environ
        # Given any source of secrets the import is unattended: nobody will set a missing one
        # in the admin afterwards, so a missing one is a problem rather than a note.
        self.require_secrets = secrets is not None or environ is not None

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, raw: Any, known: dict[str, bool], where: str) -> bool:
        if not isinstance(raw, Mapping):
            self.fail(where, "must be a mapping of keys to values")
            return False
        unknown = [k for k in raw if k not in known]
        for key in unknown:
            self.fail(where, f"unknown key {q(key)} (known: {', '.join(known)})")
        missing = [k for k, required in known.items() if required and raw.get(k) in (None, "")]
        for key in missing:
            self.fail(where, f"{q(key)} is required")
        return not unknown and not missing

    def check(self, data: Any) -> None:
        if data is None:
            data = {}
        if not self.keys(data, TOP_KEYS, "The file"):
            return
        if data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
            self.fail("The file", f"version must be {FORMAT_VERSION}")
        connections = data.get("connections") or []
        forms = data.get("forms") or []
        for name, value in (("connections", connections), ("forms", forms)):
            if not isinstance(value, list):
                self.fail("The file", f"{q(name)} must be a list")
                return
        for number, raw in enumerate(connections, start=1):
            self.connection(raw, number)
        for slug in sorted(set(self.supplied or {}) - set(self.connections)):
            self.fail("The secrets file", f"there is no connection {q(slug)} in the routing file")
        services = set()
        for number, raw in enumerate(forms, start=1):
            plan = self.form(raw, number)
            if plan is not None:
                if plan.service.slug in services:
                    self.fail(f"forms[{number}]", f"service {q(plan.service.slug)} is listed twice")
                services.add(plan.service.slug)
                self.forms.append(plan)

    def connection(self, raw: Any, number: int) -> None:
        slug = raw.get("slug") if isinstance(raw, Mapping) else None
        where = f"connections[{number}]" + (f" ({q(slug)})" if slug else "")
        if not self.keys(raw, CONNECTION_KEYS, where):
            return
        slug = str(slug)
        try:
            validate_slug(slug)
        except ValidationError:
            self.fail(where, "slug must be letters, digits, hyphens and underscores")
            return
        try:
            validate_connection_slug(slug)
        except ValidationError:
            self.fail(where, f"{q(slug)} is kept for GOV.UK Notify's delivery receipts")
            return
        if slug in self.connections:
            self.fail(where, "this slug is used by an earlier connection")
            return
        try:
            validate_email(raw["owner_email"])
        except ValidationError:
            self.fail(where, f"{q(raw['owner_email'])} is not an e-mail address")
        if not isinstance(raw["name"], str) or len(raw["name"]) > 100:
            self.fail(where, "name must be text of at most 100 characters")
        active = raw.get("active", True)
        if not isinstance(active, bool):
            self.fail(where, "active must be true or false")
        try:
            adapter_class = registry.get(raw["adapter"])
        except (UnknownAdapter, TypeError):
            known = ", ".join(registry_ids()) or "none"
            self.fail(where, f"there is no adapter {q(raw['adapter'])} (installed: {known})")
            return
        options = raw.get("options") or {}
        if not isinstance(options, Mapping):
            self.fail(where, "options must be a mapping")
            return
        given, config = self.options(dict(options), adapter_class, slug, where)
        values: dict[str, Any] = {
            "name": raw["name"],
            "adapter": raw["adapter"],
            "owner_email": raw["owner_email"],
            "is_active": active,
            "config": config,
        }
        limits = raw.get("limits") or {}
        if self.keys(limits, LIMIT_KEYS, f"{where}, limits"):
            concurrency = limits.get("max_concurrency", 4)
            if (
                not isinstance(concurrency, int)
                or isinstance(concurrency, bool)
                or not 1 <= concurrency <= 1000
            ):
                self.fail(where, "limits: max_concurrency must be a whole number from 1 to 1000")
            values["max_concurrency"] = concurrency
            for key, default in (("attempt_budget", "24h"), ("alert_after", "1h")):
                duration = parse_duration(limits.get(key, default))
                if duration is None:
                    self.fail(where, f'limits: {key} must be a duration like "24h" or "1h30m"')
                values[key] = duration
        self.connections[slug] = _ConnectionPlan(slug, values, adapter_class, given)

    def given_secrets(self, slug: str, secret_names: set[str]) -> dict[str, str]:
        """The secrets the secrets file and the environment give for `slug` (environment wins)."""
        given = dict((self.supplied or {}).get(slug) or {})
        for name in sorted(secret_names):
            value = (self.environ or {}).get(secret_env_name(slug, name))
            if value:
                given[name] = value
        return given

    def options(
        self, options: dict[str, Any], adapter_class: type[Adapter], slug: str, where: str
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """Check the options with the connection's secrets, by the rule the admin uses too
        (services/routing/connections.py); returns the secrets given for it and the options as
        they will be stored."""
        secret_names = set(adapter_class.secret_option_names())
        in_file = sorted(set(options) & secret_names)
        for name in in_file:
            self.fail(
                where,
                f"{q(name)} is a secret, never in the routing file: set it in the admin, "
                f"the secrets file or {secret_env_name(slug, name)}",
            )
        given = self.given_secrets(slug, secret_names)
        stray = sorted(set(given) - secret_names)
        for name in stray:
            known = ", ".join(sorted(secret_names)) or "none"
            self.fail(
                where,
                f"the secrets file gives {q(name)}, not a secret of this adapter "
                f"(its secrets: {known})",
            )
        if in_file or stray:
            return {}, {}
        existing = self.existing.get(slug)
        stored = kept_secrets(existing, adapter_class) if existing else {}
        try:
            cleaned = clean_connection_options(
                adapter_class,
                options,
                given,
                stored_secrets=stored,
                # Without a secrets file or variables, a new connection's secrets are set in the
                # admin after the import; an unattended import has nobody to do that.
                secrets_may_be_unset=not self.require_secrets,
            )
        except ConnectionOptionsInvalid as invalid:
            known_secrets = {**stored, **given}
            for problem in invalid.problems:
                if problem.option in secret_names and problem.option not in known_secrets:
                    self.fail(
                        where,
                        f"secret {q(problem.option)} is not set: give it in the secrets file or "
                        f"as {secret_env_name(slug, problem.option)}",
                    )
                else:
                    self.fail(where, f"option {q(problem.option)}: {problem.message}")
            return {}, {}
        return {name: value for name, value in given.items() if name in secret_names}, dict(
            cleaned.config
        )

    def form(self, raw: Any, number: int) -> _FormPlan | None:
        slug = raw.get("service") if isinstance(raw, Mapping) else None
        where = f"forms[{number}]" + (f" ({q(slug)})" if slug else "")
        if not self.keys(raw, FORM_KEYS, where):
            return None
        slug = str(slug)
        service = Service.objects.filter(slug=slug).first()
        if service is None:
            self.fail(where, f"there is no service {q(slug)}")
            return None
        form = Form.objects.filter(service=service).first()
        if form is None:
            self.fail(where, f"service {q(slug)} has no form")
            return None
        mode = raw.get("mode", "first_match")
        if mode not in MODES:
            self.fail(where, f"mode must be {' or '.join(MODES)}, not {q(mode)}")
        schema = _live_schema(form)
        rules_raw = raw.get("rules") or []
        fallback_raw = raw.get("fallback") or []
        if not isinstance(rules_raw, list) or not isinstance(fallback_raw, list):
            self.fail(where, "rules and fallback must be lists")
            return None
        rules: list[dict[str, Any]] = []
        destinations: list[dict[str, Any]] = []
        for rule_number, rule_raw in enumerate(rules_raw, start=1):
            name = rule_raw.get("name") if isinstance(rule_raw, Mapping) else None
            rule_where = f"{where}, rules[{rule_number}]" + (f" ({q(name)})" if name else "")
            if not self.keys(rule_raw, RULE_KEYS, rule_where):
                continue
            if any(r["name"] == name for r in rules):
                self.fail(rule_where, "another rule of this form has the same name")
                continue
            condition = rule_raw.get("condition")
            condition = {} if condition is None else condition
            for problem in validate_condition(condition, schema, name=str(name)):
                self.fail(where, problem)
            active = rule_raw.get("active", True)
            if not isinstance(active, bool):
                self.fail(rule_where, "active must be true or false")
            rules.append({"name": str(name), "active": active, "condition": condition})
            for index, d in enumerate(_list(rule_raw.get("destinations"), rule_where, self), 1):
                self.destination(
                    d, f"{rule_where}, destinations[{index}]", str(name), schema, destinations
                )
        for index, d in enumerate(fallback_raw, start=1):
            self.destination(d, f"{where}, fallback[{index}]", None, schema, destinations)
        self.protected(form, slug, {d["name"] for d in destinations}, where)
        return _FormPlan(service, form, str(mode), rules, destinations)

    def destination(
        self,
        raw: Any,
        where: str,
        rule: str | None,
        schema: FormSchema | None,
        destinations: list[dict[str, Any]],
    ) -> None:
        name = raw.get("name") if isinstance(raw, Mapping) else None
        where = where + (f" ({q(name)})" if name else "")
        if not self.keys(raw, DESTINATION_KEYS, where):
            return
        if any(d["name"] == name for d in destinations):
            self.fail(where, "another destination of this form has the same name")
            return
        slug = raw["connection"]
        if slug in self.connections:
            adapter_class: type[Adapter] | None = self.connections[slug].adapter_class
        elif slug in self.existing:
            adapter_class = self.existing[slug].adapter_class
        else:
            self.fail(where, f"there is no connection {q(slug)} in the file or the portal")
            return
        for problem in validate_mapping(raw["mapping"], adapter_class=adapter_class, schema=schema):
            self.fail(where, problem)
        destinations.append(
            {"name": str(name), "rule": rule, "connection": slug, "mapping": raw["mapping"]}
        )

    def protected(self, form: Form, slug: str, keep: set[str], where: str) -> None:
        """Destinations the file drops but deliveries point at cannot be deleted: say so now."""
        used = (
            Delivery.objects.filter(destination__rule_set__form=form)
            .exclude(destination__name__in=keep)
            .values_list("destination__name", flat=True)
            .distinct()
        )
        for name in sorted(used):
            self.fail(
                where,
                f"destination {q(name)} is not in the file but has deliveries, so it cannot be "
                "removed; keep it in the file",
            )


def _list(value: Any, where: str, checker: _Checker) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        checker.fail(where, "destinations must be a list")
        return []
    return value


def _live_schema(form: Form) -> FormSchema | None:
    version = form.live_version
    try:
        return version.parsed if version is not None else None
    except SchemaError:
        return None


def registry_ids() -> list[str]:
    return [cls.id for cls in registry]


# --- applying -----------------------------------------------------------------------------------


class _DryRunRollback(Exception):
    pass


def import_document(
    text: str,
    *,
    dry_run: bool = False,
    secrets: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """Check `text` and apply it; ImportProblems (and nothing changed) if anything is wrong.

    `secrets` (from `read_secrets`) and `environ` (variables named by `secret_env_name`) give
    connections' secrets; given either, a secret that is still missing is a problem."""
    data = parse_yaml(text)
    checker = _Checker(secrets, environ)
    checker.check(data)
    if checker.problems:
        raise ImportProblems(checker.problems)
    report = Report(dry_run=dry_run)
    try:
        with transaction.atomic():
            connections = _apply_connections(checker.connections, report)
            for plan in checker.forms:
                _apply_form(plan, connections, checker.existing, report)
            # Asked of the routing as applied, by the rule the admin uses (and rolled back).
            unrouted = [
                reason
                for plan in checker.forms
                if plan.service.is_live and (reason := plan.service.unrouted_reason())
            ]
            if unrouted:
                raise ImportProblems(unrouted)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except DatabaseError as error:
        raise ImportProblems(
            [f"The database refused the change, so nothing changed: {error}"]
        ) from None
    return report


def _apply_connections(plans: dict[str, _ConnectionPlan], report: Report) -> dict[str, Connection]:
    applied: dict[str, Connection] = {}
    for slug, plan in plans.items():
        connection = Connection.objects.filter(slug=slug).first()
        if connection is None:
            connection = Connection(slug=slug, **plan.values, secrets=plan.secrets)
            connection.full_clean()
            connection.save()
            report.changes.append(f"Create connection {q(slug)} ({plan.adapter_class.name})")
            if plan.secrets:
                report.changes.append(
                    f"Set secrets of {q(slug)}: {', '.join(sorted(plan.secrets))}"
                )
            missing = sorted(set(plan.adapter_class.secret_option_names()) - set(plan.secrets))
            if missing:
                report.notes.append(
                    f"Connection {q(slug)} is new: set its secrets in the admin: "
                    + ", ".join(missing)
                )
        else:
            # Only the names of secrets that change are reported, never their values.
            stored = dict(connection.secrets or {})
            renewed = sorted(k for k, v in plan.secrets.items() if stored.get(k) != v)
            if renewed:
                connection.secrets = {**stored, **plan.secrets}
                connection.save(update_fields=["secrets"])
                report.changes.append(f"Set secrets of {q(slug)}: {', '.join(renewed)}")
            changed = [k for k, v in plan.values.items() if getattr(connection, k) != v]
            if changed:
                for key in changed:
                    setattr(connection, key, plan.values[key])
                connection.full_clean()
                connection.save()
                report.changes.append(f"Update connection {q(slug)}: {', '.join(changed)}")
        applied[slug] = connection
    return applied


def _apply_form(
    plan: _FormPlan,
    connections: dict[str, Connection],
    existing: dict[str, Connection],
    report: Report,
) -> None:
    service = plan.service.slug
    rule_set = RoutingRuleSet.objects.filter(form=plan.form).first()
    if rule_set is None:
        rule_set = RoutingRuleSet.objects.create(form=plan.form, mode=plan.mode)
        report.changes.append(f"Create routing for {q(service)} ({plan.mode})")
    elif rule_set.mode != plan.mode:
        rule_set.mode = plan.mode
        rule_set.save(update_fields=["mode", "updated_at"])
        report.changes.append(f"Change routing of {q(service)} to {plan.mode}")
    rules = {r.name: r for r in rule_set.rules.all()}
    for order, spec in enumerate(plan.rules, start=1):
        values = {"order": order, "condition": spec["condition"], "is_active": spec["active"]}
        rule = rules.get(spec["name"])
        if rule is None:
            rules[spec["name"]] = RoutingRule.objects.create(
                rule_set=rule_set, name=spec["name"], **values
            )
            report.changes.append(f"Create rule {q(spec['name'])} of {q(service)}")
            continue
        changed = [k for k, v in values.items() if getattr(rule, k) != v]
        if changed:
            for key in changed:
                setattr(rule, key, values[key])
            rule.save()
            report.changes.append(
                f"Update rule {q(spec['name'])} of {q(service)}: {', '.join(changed)}"
            )
    destinations = {d.name: d for d in rule_set.destinations.all()}
    for spec in plan.destinations:
        connection = connections.get(spec["connection"]) or existing[spec["connection"]]
        rule = rules[spec["rule"]] if spec["rule"] is not None else None
        values = {
            "rule_id": rule.pk if rule else None,
            "connection_id": connection.pk,
            "mapping": spec["mapping"],
        }
        destination = destinations.get(spec["name"])
        if destination is None:
            Destination.objects.create(rule_set=rule_set, name=spec["name"], **values)
            report.changes.append(f"Create destination {q(spec['name'])} of {q(service)}")
            continue
        changed = [k for k, v in values.items() if getattr(destination, k) != v]
        if changed:
            for key in changed:
                setattr(destination, key, values[key])
            destination.save()
            names = ", ".join(k.removesuffix("_id") for k in changed)
            report.changes.append(f"Update destination {q(spec['name'])} of {q(service)}: {names}")
    keep = {d["name"] for d in plan.destinations}
    for name, destination in destinations.items():
        if name not in keep:
            destination.delete()
            report.changes.append(f"Delete destination {q(name)} of {q(service)}")
    keep_rules = {r["name"] for r in plan.rules}
    for name, rule in rules.items():
        if name not in keep_rules:
            rule.delete()
            report.changes.append(f"Delete rule {q(name)} of {q(service)}")
