"""How PostgreSQL answers the workspace's filtered list for an agent (`make bench-search`).

At a million cases, counting an agent's cases of a status with failed deliveries took 100 to
300 ms when it read each candidate case's row for its service (the agent's scope); counted from
indexes alone it takes about 10. The planner picks that at scale by cost; here, with a handful
of cases, every other way of reading a table is switched off, so the plan shows whether the
indexes alone can answer the count at all.
"""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.models import Delivery, Submission
from services.staff.search import PAGE_SIZE, CaseQuery, SearchPaginator, search_cases
from tests.portal.staff.conftest import STREETS, WASTE
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def _plan_from_indexes_alone(sql: str) -> str:
    with connection.cursor() as cursor:
        for method in ("seqscan", "indexscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def _case(make_case: Any, slug: str, status: str, delivery: str) -> Submission:
    case: Submission = make_case(slug, status=status)
    DeliveryFactory.create(submission=case, state=delivery)
    return case


def test_an_agents_filtered_count_reads_indexes_not_cases(waste_agent, make_case):
    received, failed = Submission.Status.RECEIVED, Delivery.State.FAILED
    wanted = _case(make_case, WASTE, received, failed)
    _case(make_case, WASTE, Submission.Status.IN_PROGRESS, failed)  # another status
    _case(make_case, WASTE, received, Delivery.State.DELIVERED)  # delivered
    _case(make_case, STREETS, received, failed)  # outside the agent's team
    cases = search_cases(waste_agent, CaseQuery(status=received, delivery="failed"))
    paginator = SearchPaginator(cases, PAGE_SIZE)

    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 1
    assert [case.pk for case in paginator.page(1)] == [wanted.pk]

    (count,) = queries.captured_queries
    plan = _plan_from_indexes_alone(count["sql"])
    assert "Index Only Scan using submission_status_by_id on services_submission" in plan, plan
    assert "Index Only Scan using delivery_state_submission on services_delivery" in plan, plan
