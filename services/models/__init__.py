"""Models of the services app, one module per resource."""

from services.models.catalogue import Service, Topic
from services.models.forms import Form, FormVersion, ImmutableVersionError, VersionStateError

__all__ = ["Form", "FormVersion", "ImmutableVersionError", "Service", "Topic", "VersionStateError"]
