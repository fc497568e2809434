"""Forms as files: services, their start pages and their forms' versions as one JSON document.

A council keeps its services in version control, promotes them from test to production and
shares them with other councils by exporting them here and importing them there, as it does its
routing (services/routing/config_file.py). The format is in docs/forms-as-files.md.

`export_json(...)` writes stable text (sorted keys, two-space indent, Welsh as itself), so a file
in version control changes only where the portal did. It holds each chosen service's start page
texts (English and Welsh), topic, flags and order, the topics they use, and the versions asked
for: their numbers, states and schemas. Ids, timestamps and authors stay behind: they belong to
the portal, not to the form.

`import_document(text, dry_run=...)` checks ALL of the file first (JSON syntax, format version,
unknown keys, slugs, texts against the model's own field rules, topics, version numbering, every
schema through `parse_schema`, and that no live or archived version would change) and raises
ImportProblems listing every problem without changing anything. Otherwise it applies the file in
one transaction, matched by natural keys (topic slug, service slug, version number), and reports
each change; a second import of the same file changes nothing. Things the file does not list
(other services, other versions) are left alone.

A version once published never changes (submissions point at it), so a live or archived version
in the portal whose questions differ from the file's is refused, never overwritten; a draft in
the portal takes the file's questions. A service the file marks live is made live only by the
domain's one rule (`Service.go_live`): one with no routing yet is left not live, with a note to
import its routing and then the file again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError, transaction
from modeltranslation.translator import translator

from services.catalogue import publish_version
from services.forms.schema import SchemaError, parse_schema
from services.models import Form, FormVersion, Service, Topic
from services.routing.config_file import ImportProblems, Report, q

FORMAT_VERSION = 1
STATUSES = tuple(FormVersion.Status.values)  # draft, live, archived

# Key -> whether it is required.
TOP_KEYS = {"format_version": True, "topics": False, "services": False}
TOPIC_KEYS = {"slug": True, "name": True, "order": False}
VERSION_KEYS = {"number": True, "status": True, "schema": True}
# The service's own values, by their name in the file and on the model.
SERVICE_FLAGS = {"allow_guests": "allow_guests", "live": "is_live"}
# The service's promises in days, each a whole number or null (none: no target time, or the
# council's default retention period); the model's validators say what range is sane.
SERVICE_DAYS = ("target_working_days", "retention_days")


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def translated_fields(model: type[Topic] | type[Service]) -> list[str]:
    """The model's texts with a column per language, as services/translation.py registers them."""
    return sorted(translator.get_options_for_model(model).all_fields)


def service_keys() -> dict[str, bool]:
    required = {"slug", "topic", "name", "summary"}
    keys = [
        "slug",
        "topic",
        "order",
        *SERVICE_FLAGS,
        *SERVICE_DAYS,
        *translated_fields(Service),
        "versions",
    ]
    return {key: key in required for key in keys}


class ExportRefused(Exception):
    """The export asked for cannot be made; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- export -------------------------------------------------------------------------------------


def _texts(instance: Topic | Service, name: str) -> dict[str, str | None]:
    return {code: getattr(instance, f"{name}_{code}") for code in languages()}


def _version(version: FormVersion) -> dict[str, Any]:
    return {"number": version.number, "status": version.status, "schema": version.schema}


def export_document(
    slugs: Sequence[str] | None = None, *, number: int | None = None, all_versions: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """The services named by `slugs` (all if None) as plain data, and notes for the person.

    Each service carries its live version, or version `number`, or with `all_versions` every
    version. ExportRefused names every unknown service and every service without version
    `number`."""
    services = Service.objects.select_related("topic", "form").order_by("slug")
    if slugs is not None:
        services = services.filter(slug__in=slugs)
    found = {s.slug: s for s in services}
    problems = [
        f"There is no service {q(slug)}" for slug in dict.fromkeys(slugs or ()) if slug not in found
    ]
    notes: list[str] = []
    exported = []
    for slug, service in found.items():
        form = getattr(service, "form", None)
        versions = list(form.versions.order_by("number")) if form is not None else []
        if number is not None:
            versions = [v for v in versions if v.number == number]
            if not versions:
                problems.append(f"Service {q(slug)} has no version {number}")
        elif not all_versions:
            versions = [v for v in versions if v.status == FormVersion.Status.LIVE]
            if not versions:
                notes.append(
                    f"Service {q(slug)} has no live version, so none of its versions is in the "
                    "file (--all-versions exports them all)"
                )
        entry: dict[str, Any] = {
            "slug": slug,
            "topic": service.topic.slug,
            "order": service.order,
            **{name: getattr(service, attr) for name, attr in SERVICE_FLAGS.items()},
            **{name: getattr(service, name) for name in SERVICE_DAYS},
            **{name: _texts(service, name) for name in translated_fields(Service)},
            "versions": [_version(v) for v in versions],
        }
        exported.append(entry)
    if problems:
        raise ExportRefused(problems)
    topics = Topic.objects.filter(slug__in={s["topic"] for s in exported}).order_by("slug")
    document = {
        "format_version": FORMAT_VERSION,
        "topics": [
            {
                "slug": t.slug,
                "order": t.order,
                **{n: _texts(t, n) for n in translated_fields(Topic)},
            }
            for t in topics
        ],
        "services": exported,
    }
    return document, notes


def as_json(document: Mapping[str, Any]) -> str:
    """Stable, diff-friendly text: the same portal always gives the same bytes."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- checking -----------------------------------------------------------------------------------


@dataclass
class _TopicPlan:
    slug: str
    values: dict[str, Any]  # model attribute -> value


@dataclass
class _VersionPlan:
    number: int
    status: str
    schema: dict[str, Any]


@dataclass
class _ServicePlan:
    slug: str
    topic: str
    values: dict[str, Any]  # model attribute -> value, is_live apart
    live: bool
    versions: list[_VersionPlan] = field(default_factory=list)


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str) -> None:
    # Python's json reads NaN and Infinity, which are not JSON and no database column can hold.
    raise _NotJson(f"{name} is not a JSON value")


def parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ImportProblems([f"The file is not valid JSON at {where}: {error.msg}"]) from None
    except _NotJson as error:
        raise ImportProblems([f"The file is not valid JSON: {error}"]) from None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.topics: dict[str, _TopicPlan] = {}
        self.services: dict[str, _ServicePlan] = {}
        self.existing_topics = set(Topic.objects.values_list("slug", flat=True))

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def keys(self, raw: Any, known: dict[str, bool], where: str) -> bool:
        if not isinstance(raw, Mapping):
            self.fail(where, "must be an object of keys and values")
            return False
        for key in raw:
            if key not in known:
                self.fail(where, f"unknown key {q(key)} (known: {', '.join(known)})")
        missing = [k for k, required in known.items() if required and raw.get(k) in (None, "")]
        for key in missing:
            self.fail(where, f"{q(key)} is required")
        return all(k in known for k in raw) and not missing

    def items(self, data: Mapping[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("The file", f"{q(key)} must be a list")
            return []
        return value

    def check(self, data: Any) -> None:
        if not self.keys(data, TOP_KEYS, "The file"):
            return
        if data["format_version"] != FORMAT_VERSION:
            self.fail(
                "The file",
                f"format_version must be {FORMAT_VERSION}, not {q(data['format_version'])}: "
                "it was written by a different version of the portal",
            )
            return
        for number, raw in enumerate(self.items(data, "topics"), start=1):
            self.topic(raw, number)
        for number, raw in enumerate(self.items(data, "services"), start=1):
            self.service(raw, number)

    def where(self, kind: str, number: int, raw: Any) -> str:
        slug = raw.get("slug") if isinstance(raw, Mapping) else None
        return f"{kind}[{number}]" + (f" ({q(slug)})" if isinstance(slug, str) and slug else "")

    def slug(self, value: Any, where: str, seen: Iterable[str]) -> bool:
        try:
            validate_slug(value if isinstance(value, str) else "")
        except ValidationError:
            self.fail(where, "slug must be lower-case letters, digits, hyphens or underscores")
            return False
        if value in seen:
            self.fail(where, "another entry in the file has the same slug")
            return False
        return True

    def texts(self, raw: Mapping[str, Any], names: list[str], where: str) -> dict[str, Any]:
        """Each text as {"en": ..., "cy": ...} -> the model's name_en, name_cy values."""
        values: dict[str, Any] = {}
        for name in names:
            text = raw.get(name)
            if text is None:
                continue
            if not isinstance(text, Mapping) or not all(
                isinstance(v, str) or v is None for v in text.values()
            ):
                self.fail(where, f"{name} must be an object of languages and texts")
                continue
            for code in text:
                if code not in languages():
                    self.fail(
                        where,
                        f"{name}: unknown language {q(code)} (known: {', '.join(languages())})",
                    )
            for code in languages():
                values[f"{name}_{code}"] = text.get(code)
        return values

    def model_rules(self, instance: Topic | Service, where: str, exclude: list[str]) -> None:
        """The model's own field rules (lengths, required English), so the file and the admin
        accept the same texts."""
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                label = name.replace("_", " ")
                for code in languages():
                    if name.endswith(f"_{code}"):
                        label = f"{name.removesuffix(f'_{code}')} ({code})"
                for message in messages:
                    self.fail(where, f"{label}: {message}")

    def days(self, raw: Mapping[str, Any], name: str, where: str) -> int | None:
        value = raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"{name} must be a whole number of days, or null")
            return None
        return value

    def order(self, raw: Mapping[str, Any], where: str) -> int:
        value = raw.get("order", 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(where, "order must be a whole number, 0 or more")
            return 0
        return value

    def topic(self, raw: Any, number: int) -> None:
        where = self.where("topics", number, raw)
        if not self.keys(raw, TOPIC_KEYS, where) or not self.slug(raw["slug"], where, self.topics):
            return
        values = {"order": self.order(raw, where), **self.texts(raw, ["name"], where)}
        self.model_rules(Topic(slug=raw["slug"], **values), where, exclude=["id"])
        self.topics[raw["slug"]] = _TopicPlan(raw["slug"], values)

    def service(self, raw: Any, number: int) -> None:
        where = self.where("services", number, raw)
        if not self.keys(raw, service_keys(), where) or not self.slug(
            raw["slug"], where, self.services
        ):
            return
        slug = raw["slug"]
        topic = raw["topic"]
        if not isinstance(topic, str):
            self.fail(where, "topic must be the slug of a topic")
        elif topic not in self.topics and topic not in self.existing_topics:
            self.fail(where, f"there is no topic {q(topic)} in the file or the portal")
        flags = {}
        for name, attr in SERVICE_FLAGS.items():
            flags[attr] = raw.get(name, False)
            if not isinstance(flags[attr], bool):
                self.fail(where, f"{name} must be true or false")
        values = {
            "order": self.order(raw, where),
            "allow_guests": flags["allow_guests"],
            **{name: self.days(raw, name, where) for name in SERVICE_DAYS},
            **self.texts(raw, translated_fields(Service), where),
        }
        self.model_rules(Service(slug=slug, **values), where, exclude=["id", "topic"])
        plan = _ServicePlan(slug, str(topic), values, live=flags["is_live"] is True)
        plan.versions = self.versions(raw.get("versions"), slug, where)
        self.services[slug] = plan

    def versions(self, raw: Any, slug: str, where: str) -> list[_VersionPlan]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(where, "versions must be a list")
            return []
        plans: list[_VersionPlan] = []
        for index, entry in enumerate(raw, start=1):
            number = entry.get("number") if isinstance(entry, Mapping) else None
            at = f"{where}, versions[{index}]" + (
                f" (version {number})" if isinstance(number, int) else ""
            )
            if not self.keys(entry, VERSION_KEYS, at):
                continue
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                self.fail(at, "number must be a whole number, 1 or more")
                continue
            if any(p.number == number for p in plans):
                self.fail(at, f"another version of {q(slug)} in the file has number {number}")
                continue
            status = entry["status"]
            if status not in STATUSES:
                self.fail(at, f"status must be {', '.join(STATUSES)}, not {q(status)}")
                continue
            try:
                parse_schema(entry["schema"])
            except SchemaError as error:
                for problem in error.errors:
                    self.fail(at, problem)
                continue
            plans.append(_VersionPlan(number, status, entry["schema"]))
        live = [p.number for p in plans if p.status == FormVersion.Status.LIVE]
        if len(live) > 1:
            self.fail(where, f"only one version can be live, not {len(live)} (versions {live})")
        self.against_portal(slug, plans, where)
        return plans

    def against_portal(self, slug: str, plans: list[_VersionPlan], where: str) -> None:
        """Published versions never change: refuse a file that would change one."""
        stored = {v.number: v for v in FormVersion.objects.filter(form__service__slug=slug)}
        for plan in plans:
            version = stored.get(plan.number)
            if version is None or not version.is_locked:
                continue
            at = f"{where}, version {plan.number}"
            if version.schema != plan.schema:
                self.fail(
                    at,
                    f"version {plan.number} is {version.status} here with different questions, "
                    "and a published version never changes: give the changed form a new "
                    "version number",
                )
            elif plan.status == FormVersion.Status.DRAFT:
                self.fail(
                    at,
                    f"version {plan.number} is {version.status} here, and cannot "
                    "become a draft again",
                )
            elif version.status == FormVersion.Status.ARCHIVED and plan.status == "live":
                self.fail(
                    at,
                    f"version {plan.number} is archived here and cannot be made live again: "
                    "publish a new version with its questions instead",
                )


# --- applying -----------------------------------------------------------------------------------


class _DryRunRollback(Exception):
    pass


def import_document(text: str, *, dry_run: bool = False) -> Report:
    """Check `text` and apply it; ImportProblems (and nothing changed) if anything is wrong."""
    data = parse_json(text)
    checker = _Checker()
    checker.check(data)
    if checker.problems:
        raise ImportProblems(checker.problems)
    report = Report(dry_run=dry_run)
    try:
        with transaction.atomic():
            topics = _apply_topics(checker.topics, report)
            for plan in checker.services.values():
                _apply_service(plan, topics, report)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except ValidationError as error:
        # The portal changed between checking and applying (a draft published meanwhile).
        raise ImportProblems([f"Nothing changed: {m}" for m in error.messages]) from None
    except DatabaseError as error:
        raise ImportProblems(
            [f"The database refused the change, so nothing changed: {error}"]
        ) from None
    return report


def _changed(instance: Topic | Service, values: Mapping[str, Any]) -> list[str]:
    """Set `values` on `instance`; the names (e.g. "name (cy)") of those that differed."""
    changed = []
    for attr, value in values.items():
        if getattr(instance, attr) != value:
            setattr(instance, attr, value)
            name = attr
            for code in languages():
                if attr.endswith(f"_{code}"):
                    name = f"{attr.removesuffix(f'_{code}')} ({code})"
            changed.append(name)
    return changed


def _apply_topics(plans: dict[str, _TopicPlan], report: Report) -> dict[str, Topic]:
    for slug, plan in plans.items():
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            Topic.objects.create(slug=slug, **plan.values)
            report.changes.append(f"Create topic {q(slug)}")
        elif changed := _changed(topic, plan.values):
            topic.save()
            report.changes.append(f"Update topic {q(slug)}: {', '.join(changed)}")
    return {t.slug: t for t in Topic.objects.all()}


def _apply_service(plan: _ServicePlan, topics: dict[str, Topic], report: Report) -> None:
    values = {**plan.values, "topic": topics[plan.topic]}
    service = Service.objects.select_for_update().filter(slug=plan.slug).first()
    if service is None:
        service = Service.objects.create(slug=plan.slug, is_live=False, **values)
        report.changes.append(f"Create service {q(plan.slug)}")
    else:
        changed = _changed(service, values)
        if service.is_live and not plan.live:
            # Before publishing: a version of a live service is published only if routed.
            service.is_live = False
            changed.append("live")
        if changed:
            service.save()
            report.changes.append(f"Update service {q(plan.slug)}: {', '.join(changed)}")
    form, _created = Form.objects.get_or_create(service=service)
    _apply_versions(form, plan, report)
    if plan.live and not service.is_live:
        reason = service.unrouted_reason()
        if reason is None:
            service.go_live()
            report.changes.append(f"Make service {q(plan.slug)} live")
        else:
            report.notes.append(
                f"Service {q(plan.slug)} is live in the file but was left not live here. "
                f"{reason} Import its routing (manage.py routing import), then this file again."
            )


def _apply_versions(form: Form, plan: _ServicePlan, report: Report) -> None:
    slug = plan.slug
    stored = {v.number: v for v in form.versions.select_for_update()}
    for spec in sorted(plan.versions, key=lambda v: v.number):
        version = stored.get(spec.number)
        if version is None:
            # A live version is created as a draft and published below, by the one rule.
            status = "archived" if spec.status == "archived" else "draft"
            stored[spec.number] = FormVersion.objects.create(
                form=form, number=spec.number, schema=spec.schema, status=status
            )
            report.changes.append(f"Create version {spec.number} of {q(slug)} ({spec.status})")
        elif not version.is_locked and version.schema != spec.schema:
            version.schema = spec.schema
            version.save(update_fields=["schema"])
            report.changes.append(
                f"Update the questions of draft version {spec.number} of {q(slug)}"
            )
    for spec in plan.versions:
        version = stored[spec.number]
        if spec.status == "archived" and version.status != "archived":
            version.archive()
            report.changes.append(f"Archive version {spec.number} of {q(slug)}")
    for spec in plan.versions:
        version = stored[spec.number]
        if spec.status == "live" and version.status != "live":
            replaced = form.live_version
            publish_version(version)
            report.changes.append(f"Publish version {spec.number} of {q(slug)}")
            if replaced is not None:
                report.changes.append(
                    f"Archive version {replaced.number} of {q(slug)} (replaced by version "
                    f"{spec.number})"
                )
