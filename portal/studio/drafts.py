"""The form builder's hold on a service's form: its versions, its draft, and saving an edit.

Every change to a draft is one of the pure edits in services/forms/edits.py, which refuses an
edit that would give the schema a new problem (EditError). `apply_edit` runs it on the draft's
schema as stored, with the draft's row locked, and saves the result and its entry in the change
log (services/change_log.py) in one transaction: two admins editing the same draft at once never
undo each other's edit, and a refused edit changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from services.change_log import record_addition, record_change
from services.forms.edits import Edited, Schema
from services.models import Form, FormVersion, Service

Edit = Callable[[Schema], Edited]


def service_or_404(service_id: int) -> Service:
    return get_object_or_404(Service.objects.select_related("topic"), pk=service_id)


def versions_of(service: Service) -> list[FormVersion]:
    """The service's form versions, newest first (none when it has no form yet)."""
    form = Form.objects.filter(service=service).first()
    return list(form.versions.all()) if form is not None else []


def draft_of(service: Service) -> FormVersion | None:
    return FormVersion.objects.filter(
        form__service=service, status=FormVersion.Status.DRAFT
    ).first()


def draft_or_404(service: Service) -> FormVersion:
    draft = draft_of(service)
    if draft is None:
        raise Http404(_("This service’s form has no draft."))
    return draft


def live_of(service: Service) -> FormVersion | None:
    return FormVersion.objects.filter(form__service=service, status=FormVersion.Status.LIVE).first()


def create_draft(by: Any, service: Service, first: Edit | None = None) -> FormVersion:
    """A new draft: a copy of the live version, or, with nothing live, a schema made by `first`
    (an edit of an empty schema adding the first page). EditError from `first` saves nothing."""
    with transaction.atomic():
        form, _made = Form.objects.get_or_create(service=service)
        Form.objects.select_for_update().get(pk=form.pk)
        existing = draft_of(service)
        if existing is not None:
            return existing  # made by someone else a moment ago: edit that one
        live = live_of(service)
        if live is not None:
            draft = FormVersion.new_draft_from(live, created_by=by)
        else:
            if first is None:
                raise ValueError("A form with no live version needs its first page")
            schema = first({"pages": []}).schema
            draft = FormVersion.objects.create(form=form, schema=schema, created_by=by)
        record_addition(by, draft)
        return draft


def apply_edit(by: Any, draft: FormVersion, edit: Edit, what: str) -> Edited:
    """Run `edit` on the draft's stored schema and save it, recording `what` was changed.

    EditError (nothing saved) if the edit is refused; Http404 if the draft was published or
    archived meanwhile, so it is no longer a draft anyone may change."""
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None or locked.status != FormVersion.Status.DRAFT:
            raise Http404(_("This version is no longer a draft."))
        edited = edit(locked.schema)
        locked.schema = edited.schema
        locked.save(update_fields=["schema"])
        record_change(by, locked, [what])
    draft.schema = edited.schema
    return edited
