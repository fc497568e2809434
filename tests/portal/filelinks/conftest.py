"""A case with a photo and a PDF, and two back-office connections to fetch them."""

from typing import Any

import pytest

from services.models import Connection, Submission, SubmissionFile
from tests.services.delivery_admin.factories import ConnectionFactory, SubmissionFactory
from tests.services.stored_files import pdf_bytes, png_bytes, stored_files

__all__ = ["stored_files"]


@pytest.fixture
def case(db: None) -> Submission:
    submission: Submission = SubmissionFactory.create()
    return submission


@pytest.fixture
def photo(case: Submission, stored_files: Any) -> SubmissionFile:
    row: SubmissionFile = stored_files(case, "photo", png_bytes(), "pothole on Mill Lane.png")
    return row


@pytest.fixture
def letter(case: Submission, stored_files: Any) -> SubmissionFile:
    row: SubmissionFile = stored_files(case, "evidence", pdf_bytes(), "letter.pdf")
    return row


@pytest.fixture
def highways(db: None) -> Connection:
    connection: Connection = ConnectionFactory.create(name="Highways system")
    return connection


@pytest.fixture
def crm(db: None) -> Connection:
    connection: Connection = ConnectionFactory.create(name="Council CRM")
    return connection
