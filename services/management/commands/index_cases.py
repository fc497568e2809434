"""Fill the staff workspace's case search index for submissions that have no entry yet.

Submissions saved after the index existed are indexed as they are saved (services/staff/
signals.py); run this once after deploying the workspace, and after loading submissions with
bulk_create or SQL, which send no signal. Running it again indexes only what is missing.
"""

from typing import Any

from django.core.management.base import BaseCommand

from services.models import Submission
from services.staff.index import index_submission


class Command(BaseCommand):
    help = "Index for the staff case search every submission that is not indexed yet."

    def handle(self, *args: Any, **options: Any) -> None:
        missing = Submission.objects.filter(search_index__isnull=True).select_related(
            "user", "form_version"
        )
        count = 0
        # iterator(): a council's whole history need not fit in memory at once.
        for submission in missing.iterator(chunk_size=500):
            index_submission(submission)
            count += 1
        self.stdout.write(f"Indexed {count} submissions.")
