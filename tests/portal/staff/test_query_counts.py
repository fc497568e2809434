"""A search page and a case's pages cost a fixed number of SQL queries, however many cases they
list, and however many deliveries, attempts, status updates, notes, calls and other cases a
case has: nothing is fetched once per row.

The numbers are exact so that a change adding a query is seen and argued for; each is spelled
out beside it. Every count here starts from a warm request (Django's content-type cache full).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import (
    CaseActivity,
    CaseMessage,
    CaseUpdate,
    Delivery,
    OutgoingUpdate,
    Submission,
)
from tests.portal.staff.conftest import WASTE, signed_in
from tests.services.delivery_admin.factories import AttemptFactory, DeliveryFactory

pytestmark = pytest.mark.django_db

# Every workspace page: the session and the user; "council staff?" (asked by the MFA middleware
# and again by the workspace's door) and "a second factor?"; the user's and their groups'
# permissions.
EVERY_PAGE = 7
# The services the filter offers; the count; the page of cases (with their services and
# residents: one join); one INSERT recording the cases shown. The delivery filter and the text
# are conditions of the count and the page, never queries of their own.
SEARCH_PAGE_QUERIES = EVERY_PAGE + 4
# The case (within scope), whether it is outside the agent's own teams (the reason rule), and
# the access-log INSERT; then the details page's resident's other cases and the case's files,
# and the messages to the resident that could not be delivered (shown above the case)...
ONE_CASE = EVERY_PAGE + 3
CASE_PAGE_QUERIES = ONE_CASE + 3
# ... or the timeline's deliveries, their attempts, what people did to them (the admin's log),
# the status updates, the notes and calls, the back offices' fetches of the case's files, the
# messages sent to the resident about the case, and those not delivered (shown above the case);
# and the conversation with the resident: its messages, their files, where each was sent; and
# the updates that failed to reach a back office, which staff may send again.
TIMELINE_QUERIES = ONE_CASE + 12


@pytest.fixture
def agent_client(waste_agent):
    return signed_in(waste_agent)


def _history(case: Submission, deliveries: int, author) -> None:
    """`deliveries` deliveries of two attempts each, a status update per delivery, a note and
    a call per delivery, and a reply from the resident sent on to each."""
    now = timezone.now()
    for n in range(deliveries):
        delivery = DeliveryFactory.create(
            submission=case, state=Delivery.State.DELIVERED, delivered_at=now, routing_round=n + 1
        )
        AttemptFactory(delivery=delivery, number=1, status_code="503")
        AttemptFactory(delivery=delivery, number=2, outcome="delivered", status_code="201")
        CaseUpdate.objects.create(
            submission=case,
            connection=delivery.connection,
            update_id=f"u-{delivery.pk}",
            external_status="COLLECTED",
            portal_status=Submission.Status.CLOSED_FIXED,
            occurred_at=now,
            outcome=CaseUpdate.Outcome.APPLIED,
            source=CaseUpdate.Source.CALLBACK,
            applied=True,
        )
        CaseActivity.objects.create(
            submission=case, author=author, kind=CaseActivity.Kind.NOTE, text="A note"
        )
        CaseActivity.objects.create(
            submission=case,
            author=author,
            kind=CaseActivity.Kind.PHONE,
            outcome=CaseActivity.Outcome.RESOLVED,
            text="A call",
        )
        reply = CaseMessage.objects.create(submission=case, kind="reply", text="A reply")
        OutgoingUpdate.objects.create(
            message=reply, delivery=delivery, connection=delivery.connection
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "Exampleton"}, {"delivery": "failed", "status": "received", "sort": "service"}],
    ids=["everything", "text", "filters"],
)
def test_a_search_page_costs_the_same_queries_for_one_case_or_a_full_page(
    agent_client, make_case, django_assert_num_queries, params
):
    first = make_case(WASTE)
    DeliveryFactory(submission=first, state=Delivery.State.FAILED)
    agent_client.get(reverse("staff:home"), params)  # warm

    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        assert agent_client.get(reverse("staff:home"), params).status_code == 200

    for _ in range(30):  # more than a page
        DeliveryFactory(submission=make_case(WASTE), state=Delivery.State.FAILED)
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        response = agent_client.get(reverse("staff:home"), params)
    assert "31 cases" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [("staff:case", CASE_PAGE_QUERIES), ("staff:case_timeline", TIMELINE_QUERIES)],
)
def test_a_case_page_costs_the_same_queries_however_long_its_history(
    waste_agent, agent_client, make_case, django_assert_num_queries, url_name, queries
):
    short, long = make_case(WASTE), make_case(WASTE)
    _history(short, deliveries=1, author=waste_agent)
    _history(long, deliveries=5, author=waste_agent)
    for _ in range(6):
        make_case(WASTE, user=long.user)
    agent_client.get(reverse(url_name, args=[short.reference]))  # warm

    for case in (short, long):
        with django_assert_num_queries(queries):
            response = agent_client.get(reverse(url_name, args=[case.reference]))
        assert response.status_code == 200
