"""`manage.py seed_catalogue`: create or update the demo topics, services and live forms."""

from typing import Any

from django.core.management.base import BaseCommand

from services.seed import seed_catalogue


class Command(BaseCommand):
    help = "Create or update the seeded service catalogue (safe to run repeatedly)."

    def handle(self, *args: Any, **options: Any) -> None:
        services = seed_catalogue()
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(services)} services."))
