"""What the page of one request shows, for its signed-in owner and for a guest with a tracking
link alike: the answers and files they sent, what has happened (the status timeline) and what
happens next, by when. The readings are the domain's (services/cases.py, services/my_requests.py);
this only gathers them for templates/dashboard/submission.html."""

from __future__ import annotations

from typing import Any

from portal.dashboard.answers import answer_rows
from services import cases, my_requests
from services.models import Submission


def request_page_context(submission: Submission, *, guest_view: bool) -> dict[str, Any]:
    entries = my_requests.timeline(submission)
    return {
        "submission": submission,
        "rows": answer_rows(submission),
        "files": cases.case_files(submission),
        "timeline": entries,
        "next_steps": my_requests.next_steps(submission, entries),
        "question": my_requests.question_for_resident(entries),
        "guest_view": guest_view,
    }
