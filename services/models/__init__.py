"""Models of the services app, one module per resource."""

from services.models.catalogue import Service, Topic
from services.models.forms import Form, FormVersion, ImmutableVersionError, VersionStateError
from services.models.submissions import Channel, Draft, Submission

__all__ = [
    "Channel",
    "Draft",
    "Form",
    "FormVersion",
    "ImmutableVersionError",
    "Service",
    "Submission",
    "Topic",
    "VersionStateError",
]
