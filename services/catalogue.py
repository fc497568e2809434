"""Putting a service in front of residents: publishing a form version, making a service live.

Both are refused while the service's cases would go nowhere (Service.unrouted_reason, the one
rule, also asked by `routing import`): the resident would be told the team will look at their
case while it reaches no one. A draft is also refused while it is not ready, for every reason
`services.forms.publish_checks.publish_problems` gives (Welsh missing, branching or routing the
draft would break). People (the admin, the seed) go through these functions;
FormVersion.publish is the version's own state change beneath them.
"""

from __future__ import annotations

from services.forms.publish_checks import PublishRefused, publish_problems
from services.models import FormVersion, Service
from services.models.forms import VersionStateError


def publish_version(version: FormVersion) -> None:
    """Make the draft `version` live; VersionStateError saying why not (PublishRefused listing
    every reason the draft is not ready: Welsh missing, branching or routing it would break).

    A version of a service that is not live yet may be published without routing: routing is
    checked against the live version's questions, so a new service is published, then routed,
    then made live (Service.go_live)."""
    service = Service.objects.get(form__pk=version.form_id)
    reason = service.unrouted_reason() if service.is_live else None
    if reason is not None:
        raise VersionStateError(reason)
    if version.status == FormVersion.Status.DRAFT:
        problems = publish_problems(version)
        if problems:
            raise PublishRefused(problems)
    version.publish()
