"""The CRM simulator's Salesforce Files behave as Salesforce's do: a malformed ContentVersion is
refused, a repeated POST makes a second file, a file is found by its key with SOQL, and what
each file's bytes were is kept and shown at /_records."""

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import CLIENT_ID, CLIENT_SECRET, pdf_bytes

API = "/services/data/v60.0"


@pytest.fixture
def crm(salesforce: CRMSimulator) -> Iterator[httpx.Client]:
    token = httpx.post(
        salesforce.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()["access_token"]
    with httpx.Client(
        base_url=salesforce.url + API, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture
def case_id(crm: httpx.Client) -> str:
    return crm.patch("/sobjects/Case/Portal_Reference__c/REF-1", json={"Subject": "Tyres"}).json()[
        "id"
    ]


def version(case_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "Title": "letter",
        "PathOnClient": "letter.pdf",
        "Description": "Portal file evidence of k",
        "FirstPublishLocationId": case_id,
        "VersionData": base64.b64encode(pdf_bytes()).decode(),
    } | changes


def lookup(crm: httpx.Client, case_id: str, field: str, value: str) -> httpx.Response:
    soql = (
        f"SELECT Id FROM ContentVersion WHERE FirstPublishLocationId = '{case_id}' "  # noqa: S608
        f"AND {field} = '{value}'"
    )
    return crm.get("/query", params={"q": soql})


def test_a_file_is_kept_with_its_hash_and_shown_at_records(salesforce, crm, case_id):
    answer = crm.post("/sobjects/ContentVersion", json=version(case_id))

    assert answer.status_code == 201
    assert answer.json()["id"].startswith("068")
    records = httpx.get(f"{salesforce.url}/_records", params={"key": "REF-1"}).json()
    (stored,) = records["files"]
    assert stored["case_id"] == case_id
    assert (stored["name"], stored["content_type"]) == ("letter.pdf", "application/pdf")
    assert stored["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()
    assert stored["size"] == len(pdf_bytes())


def test_a_repeated_post_makes_a_second_file_and_a_lookup_finds_both(salesforce, crm, case_id):
    crm.post("/sobjects/ContentVersion", json=version(case_id))
    crm.post("/sobjects/ContentVersion", json=version(case_id))

    found = lookup(crm, case_id, "Description", "Portal file evidence of k").json()

    assert len(salesforce.files) == 2
    assert [row["Id"] for row in found["records"]] == [f["id"] for f in salesforce.files]
    assert lookup(crm, case_id, "Description", "another").json()["records"] == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"Portal_Key__c": "k"}, "INVALID_FIELD"),  # a field the org does not have
        ({"VersionData": "not base64!"}, "INVALID_FIELD"),
        ({"PathOnClient": None}, "REQUIRED_FIELD_MISSING"),
        ({"FirstPublishLocationId": None}, "INVALID_CROSS_REFERENCE_KEY"),
        ({"FirstPublishLocationId": "500000000000000999"}, "INVALID_CROSS_REFERENCE_KEY"),
        ({"Title": "x" * 256}, "STRING_TOO_LONG"),
        ({"Description": 7}, "INVALID_TYPE"),
    ],
)
def test_a_malformed_file_is_refused_and_kept_nowhere(salesforce, crm, case_id, changes, code):
    answer = crm.post("/sobjects/ContentVersion", json=version(case_id, **changes))

    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == code
    assert salesforce.files == []


def test_an_org_with_a_custom_key_field_takes_it_and_finds_files_by_it():
    with CRMSimulator(
        style="salesforce",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        content_version_fields=["Portal_Key__c"],
    ) as sim:
        token = httpx.post(
            sim.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        ).json()["access_token"]
        with httpx.Client(
            base_url=sim.url + API, headers={"Authorization": f"Bearer {token}"}
        ) as crm:
            case = crm.patch("/sobjects/Case/Portal_Reference__c/R", json={}).json()["id"]
            crm.post("/sobjects/ContentVersion", json=version(case, Portal_Key__c="it's k"))

            found = lookup(crm, case, "Portal_Key__c", "it\\'s k").json()

        assert [row["Id"] for row in found["records"]] == [sim.files[0]["id"]]
        assert sim.files[0]["fields"] == {"Portal_Key__c": "it's k"}


def test_a_lookup_on_a_field_the_org_does_not_have_is_refused(crm, case_id):
    answer = lookup(crm, case_id, "Portal_Key__c", "k")

    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_FIELD"


def test_faults_are_counted_for_files_by_their_own_kind_of_call(salesforce, crm, case_id):
    salesforce.set_faults(error_rate=1.0, times=1)

    assert crm.post("/sobjects/ContentVersion", json=version(case_id)).status_code == 503

    assert salesforce.injected_by_call == {f"POST {API}/sobjects/ContentVersion": {"error": 1}}
    assert salesforce.files == []
