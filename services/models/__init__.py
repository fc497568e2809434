"""Models of the services app, one module per resource."""

from services.models.audit import AccessLog
from services.models.case_index import CaseIndex
from services.models.casework import CaseActivity
from services.models.catalogue import Service, Topic
from services.models.conversations import CaseMessage, OutgoingUpdate, UpdateAttempt
from services.models.delivery import Attempt, Delivery
from services.models.files import FileFetch, SubmissionFile
from services.models.forms import Form, FormVersion, ImmutableVersionError, VersionStateError
from services.models.messages import OutgoingMessage
from services.models.notifications import NotificationPreference
from services.models.outbox import OutboxRow
from services.models.privacy import DataExport, RetentionRun
from services.models.routing import Connection, Destination, RoutingRule, RoutingRuleSet
from services.models.submissions import Channel, Draft, Submission
from services.models.teams import Team
from services.models.updates import CaseUpdate, StatusMapping

__all__ = [
    "AccessLog",
    "Attempt",
    "CaseActivity",
    "CaseIndex",
    "CaseMessage",
    "CaseUpdate",
    "Channel",
    "Connection",
    "DataExport",
    "Delivery",
    "Destination",
    "Draft",
    "FileFetch",
    "Form",
    "FormVersion",
    "ImmutableVersionError",
    "NotificationPreference",
    "OutboxRow",
    "OutgoingMessage",
    "OutgoingUpdate",
    "RetentionRun",
    "RoutingRule",
    "RoutingRuleSet",
    "Service",
    "StatusMapping",
    "Submission",
    "SubmissionFile",
    "Team",
    "Topic",
    "UpdateAttempt",
    "VersionStateError",
]
