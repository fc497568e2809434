"""The CRM simulator's notes (annotations) behave as Dynamics' do: a malformed one is refused, a
repeated POST makes a second note, and what each note's file was is kept and shown."""

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import CLIENT_ID, CLIENT_SECRET, pdf_bytes

API = "/api/data/v9.2"
KEY = "c3a1e2d4-5b6f-4a70-8192-a3b4c5d6e7f8"


def client_for(sim: CRMSimulator) -> httpx.Client:
    """A client of the simulator's Web API with a live bearer token, as an app user's."""
    token = httpx.post(
        sim.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()["access_token"]
    return httpx.Client(base_url=sim.url + API, headers={"Authorization": f"Bearer {token}"})


def new_case(crm: httpx.Client) -> str:
    response = crm.patch(f"/incidents(mc_portalreference='{KEY}')", json={"title": "Fly-tipping"})
    return response.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")


@pytest.fixture
def crm(sim: CRMSimulator) -> Iterator[httpx.Client]:
    with client_for(sim) as client:
        yield client


@pytest.fixture
def case_id(crm: httpx.Client) -> str:
    return new_case(crm)


def note(case_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "subject": "Portal file evidence",
        "notetext": "A letter",
        "filename": "letter.pdf",
        "mimetype": "application/pdf",
        "documentbody": base64.b64encode(pdf_bytes()).decode(),
        "isdocument": True,
        "objectid_incident@odata.bind": f"/incidents({case_id})",
    } | changes


def test_a_note_is_kept_with_its_file_facts_and_shown_at_records(sim, crm, case_id):
    response = crm.post("/annotations", json=note(case_id))

    assert response.status_code == 204
    (kept,) = sim.notes
    assert response.headers["OData-EntityId"].endswith(f"/annotations({kept['id']})")
    data = pdf_bytes()
    assert kept | {"id": None, "createdon": None} == {
        "id": None,
        "createdon": None,
        "case_id": case_id,
        "case_key": KEY,
        "subject": "Portal file evidence",
        "notetext": "A letter",
        "filename": "letter.pdf",
        "mimetype": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    shown = httpx.get(f"{sim.url}/_records", params={"key": KEY}).json()
    assert shown["notes"] == [kept]
    assert httpx.get(f"{sim.url}/_records", params={"key": "another"}).json()["notes"] == []


def test_a_repeated_post_makes_a_second_note_as_dynamics_does(sim, crm, case_id):
    crm.post("/annotations", json=note(case_id))
    crm.post("/annotations", json=note(case_id))

    assert len(sim.notes) == 2


def test_notes_are_found_by_their_case_and_subject(crm, case_id):
    crm.post("/annotations", json=note(case_id, subject="Portal file it's mine"))
    crm.post("/annotations", json=note(case_id, subject="Another"))

    found = crm.get(
        "/annotations",
        params={
            "$select": "annotationid",
            "$filter": f"_objectid_value eq {case_id} and subject eq 'Portal file it''s mine'",
        },
    )
    every = crm.get("/annotations", params={"$filter": f"_objectid_value eq {case_id}"})

    assert found.status_code == 200
    assert [set(row) for row in found.json()["value"]] == [{"@odata.etag", "annotationid"}]
    assert [row["subject"] for row in every.json()["value"]] == ["Portal file it's mine", "Another"]
    assert "documentbody" not in every.json()["value"][0]


def test_a_filter_the_simulator_does_not_know_is_refused(crm):
    response = crm.get("/annotations", params={"$filter": "contains(subject, 'x')"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"documentbody": "not base64!"}, 400),
        ({"filename": None}, 400),
        ({"colour": "red"}, 400),
        ({"subject": 12}, 400),
        ({"isdocument": "yes"}, 400),
        ({"objectid_incident@odata.bind": None}, 400),
        ({"objectid_incident@odata.bind": "/accounts(5e1a9c3b-7d2f-4a80-b6e4-3f0c8d1a2b44)"}, 400),
        ({"objectid_incident@odata.bind": "/incidents(5e1a9c3b-7d2f-4a80-b6e4-3f0c8d1a2b44)"}, 404),
    ],
)
def test_a_malformed_note_is_refused_and_nothing_is_kept(
    sim, crm, case_id, changes: dict[str, Any], status: int
):
    body = {name: value for name, value in note(case_id, **changes).items() if value is not None}

    response = crm.post("/annotations", json=body)

    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message"}
    assert sim.notes == []


def test_a_note_bound_to_another_table_is_refused(sim, crm, case_id):
    body = note(case_id)
    body["objectid_account@odata.bind"] = body.pop("objectid_incident@odata.bind")

    assert crm.post("/annotations", json=body).status_code == 400
    assert sim.notes == []


def test_a_file_over_the_attachment_limit_is_refused_as_dynamics_does():
    with (
        CRMSimulator(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, max_attachment_bytes=10
        ) as sim,
        client_for(sim) as crm,
    ):
        response = crm.post("/annotations", json=note(new_case(crm)))

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "0x80044a02"
        assert sim.notes == []


def test_clearing_the_records_clears_the_notes(sim, crm, case_id):
    crm.post("/annotations", json=note(case_id))

    httpx.delete(f"{sim.url}/_records")

    assert sim.notes == []


def test_faults_hit_the_notes_calls_too_and_are_counted_by_call(sim, crm, case_id):
    # Given the CRM saves the next note and hangs up, then fails a lookup and a case's save
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        crm.post("/annotations", json=note(case_id))
    sim.set_faults(error_rate=1.0, times=2)
    lookup = crm.get("/annotations", params={"$filter": f"_objectid_value eq {case_id}"})
    save = crm.patch("/incidents(mc_portalreference='another-key')", json={"title": "Graffiti"})

    # Then the dropped note was kept (committed, its answer lost), the others failed, and each
    # fault is counted under its call, a case's address under <key> whatever its key
    assert len(sim.notes) == 1
    assert (lookup.status_code, save.status_code) == (503, 503)
    assert httpx.get(f"{sim.url}/_stats").json()["injected_by_call"] == {
        f"POST {API}/annotations": {"drop": 1},
        f"GET {API}/annotations": {"error": 1},
        f"PATCH {API}/incidents(mc_portalreference=<key>)": {"error": 1},
    }
