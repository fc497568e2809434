"""The SOAP case system simulator itself, over plain HTTP: what the demo and suites rely on."""

import hashlib
import os
import socket
import subprocess
import sys
from base64 import b64encode

import httpx
import pytest
from lxml import etree

from integrations.simulators.soap_case import NS, SOAP_ENV, SoapCaseSimulator
from tests.conftest import REPO_ROOT
from tests.integrations.soap.conftest import PASSWORD, USERNAME


def envelope(body: str) -> bytes:
    return f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


def sign_in(client: httpx.Client, url: str) -> str:
    body = f'<c:Authenticate xmlns:c="{NS}"><c:Username>{USERNAME}</c:Username>'
    body += f"<c:Password>{PASSWORD}</c:Password></c:Authenticate>"
    answer = client.post(url, content=envelope(body), headers={"Content-Type": "text/xml"})
    return etree.fromstring(answer.content).findtext(f".//{{{NS}}}SessionToken")


def fault_of(response: httpx.Response) -> tuple[str, str]:
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring")


@pytest.fixture
def client():
    with httpx.Client(timeout=5.0) as http:
        yield http


@pytest.mark.parametrize("path", ["/CaseService?wsdl", "/CaseService?WSDL", "/CaseService.wsdl"])
def test_the_wsdl_is_served_with_its_address_on_this_port(sim, client, path):
    response = client.get(f"{sim.url}{path}")

    root = etree.fromstring(response.content)
    assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == sim.service_url


def test_a_body_that_is_not_xml_is_a_client_fault_with_http_500(sim, client):
    response = client.post(
        sim.service_url, content=b"<not xml", headers={"Content-Type": "text/xml"}
    )

    assert response.status_code == 500
    assert fault_of(response) == ("soap:Client", "The request is not well-formed XML")


def test_entities_in_an_envelope_are_never_expanded(sim, client, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-read-me")
    body = (
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><c:Authenticate xmlns:c="{NS}">'
        "<c:Username>&e;</c:Username><c:Password>x</c:Password></c:Authenticate></s:Body>"
        "</s:Envelope>"
    )

    response = client.post(sim.service_url, content=body.encode())

    assert fault_of(response)[0] == "soap:Client.Authentication"
    assert b"do-not-read-me" not in response.content


def test_an_unknown_session_token_is_a_session_expired_fault(sim, client):
    body = f'<c:GetCaseUpdatesSince xmlns:c="{NS}"><c:SessionToken>made-up</c:SessionToken>'
    body += "</c:GetCaseUpdatesSince>"

    response = client.post(sim.service_url, content=envelope(body))

    assert response.status_code == 500
    assert fault_of(response)[0] == "soap:Client.SessionExpired"


def test_cases_and_updates_can_be_read_and_added_over_http(sim, client):
    token = sign_in(client, sim.service_url)
    body = f'<c:CreateServiceRequest xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    body += "<c:ClientReference>ref-1</c:ClientReference><c:ServiceCode>POTHOLE</c:ServiceCode>"
    body += "<c:Description>Deep</c:Description></c:CreateServiceRequest>"
    client.post(sim.service_url, content=envelope(body))
    client.post(sim.service_url, content=envelope(body))

    records = client.get(f"{sim.url}/_records", params={"client_reference": "ref-1"}).json()
    added = client.post(
        f"{sim.url}/_updates", json={"case_reference": "CS-000001", "status": "Fixed"}
    )
    unknown = client.post(f"{sim.url}/_updates", json={"case_reference": "CS-9", "status": "x"})
    updates = client.get(f"{sim.url}/_updates").json()["updates"]

    assert (records["count"], records["replays"]) == (2, 0)  # ClientReference is not unique
    assert records["records"][0]["case_reference"] == "CS-000001"
    assert added.status_code == 201
    assert unknown.status_code == 400
    assert [(u["update_id"], u["status"]) for u in updates] == [("UPD-000001", "Fixed")]
    assert sim.calls("CreateServiceRequest") == 2  # control requests are not recorded


def test_a_soap_fault_can_be_forced_over_http_for_a_number_of_calls(sim, client):
    client.post(f"{sim.url}/_soap_fault", json={"code": "Server.Unavailable", "times": 1})

    first = client.post(sim.service_url, content=envelope(f'<c:Authenticate xmlns:c="{NS}"/>'))
    second = client.post(sim.service_url, content=envelope(f'<c:Authenticate xmlns:c="{NS}"/>'))

    assert fault_of(first)[0] == "soap:Server.Unavailable"
    assert fault_of(second)[0] == "soap:Client.Authentication"


def test_runs_standalone_on_the_port_it_is_given(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "integrations.simulators.soap_case", "--port", str(port)]
    command += ["--username", USERNAME, "--password", PASSWORD, "--error-rate", "0.2"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/CaseService?wsdl" in process.stdout.readline()
        assert "listening" in process.stdout.readline()  # printed once the port is bound
        faults = client.get(f"http://127.0.0.1:{port}/_faults").json()
        client.delete(f"http://127.0.0.1:{port}/_faults")
        token = sign_in(client, f"http://127.0.0.1:{port}/CaseService")
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert faults["error_rate"] == 0.2
    assert token


def create_body(token: str, client_reference: str) -> str:
    body = f'<c:CreateServiceRequest xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    body += f"<c:ClientReference>{client_reference}</c:ClientReference>"
    body += "<c:ServiceCode>POTHOLE</c:ServiceCode><c:Description>Deep</c:Description>"
    return body + "</c:CreateServiceRequest>"


def test_cases_are_found_by_client_reference_oldest_first(sim, client):
    token = sign_in(client, sim.service_url)
    for reference in ("ref-1", "ref-2", "ref-1"):
        client.post(sim.service_url, content=envelope(create_body(token, reference)))

    find = f'<c:FindCasesByClientReference xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    find += "<c:ClientReference>ref-1</c:ClientReference></c:FindCasesByClientReference>"
    answer = etree.fromstring(client.post(sim.service_url, content=envelope(find)).content)

    found = [e.text for e in answer.iter(f"{{{NS}}}CaseReference")]
    assert found == ["CS-000001", "CS-000003"]


def test_a_system_with_unique_client_references_answers_a_repeat_with_the_first_case(client):
    with SoapCaseSimulator(
        username=USERNAME, password=PASSWORD, unique_client_reference=True
    ) as unique:
        token = sign_in(client, unique.service_url)
        answers = [
            etree.fromstring(
                client.post(unique.service_url, content=envelope(create_body(token, "r"))).content
            )
            for _ in range(2)
        ]

        assert [a.findtext(f".//{{{NS}}}CaseReference") for a in answers] == ["CS-000001"] * 2
        assert [a.findtext(f".//{{{NS}}}Created") for a in answers] == ["true", "false"]
        assert (unique.count_for("r"), unique.replays) == (1, 1)


# --- Attachments ---------------------------------------------------------------------------------


def attachment_body(token: str, case: str, client_reference: str, content: str) -> str:
    body = f'<c:AddAttachment xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    body += f"<c:CaseReference>{case}</c:CaseReference>"
    body += f"<c:ClientReference>{client_reference}</c:ClientReference>"
    body += "<c:FileName>bin.jpg</c:FileName><c:ContentType>image/jpeg</c:ContentType>"
    return body + f"<c:Content>{content}</c:Content></c:AddAttachment>"


def test_attachments_are_kept_as_the_hash_of_their_decoded_bytes_and_shown_at_records(sim, client):
    token = sign_in(client, sim.service_url)
    client.post(sim.service_url, content=envelope(create_body(token, "ref-1")))
    client.post(sim.service_url, content=envelope(create_body(token, "ref-2")))
    content = b"\xff\xd8 a photo of a bin \xff\xd9"

    answer = client.post(
        sim.service_url,
        content=envelope(attachment_body(token, "CS-000001", "a-1", b64encode(content).decode())),
    )
    shown = client.get(f"{sim.url}/_records", params={"client_reference": "ref-1"}).json()
    other = client.get(f"{sim.url}/_records", params={"client_reference": "ref-2"}).json()

    assert etree.fromstring(answer.content).findtext(f".//{{{NS}}}AttachmentId") == "ATT-000001"
    (attachment,) = shown["attachments"]
    assert attachment["case_reference"] == "CS-000001"
    assert attachment["client_reference"] == "a-1"
    assert (attachment["file_name"], attachment["content_type"]) == ("bin.jpg", "image/jpeg")
    assert attachment["size"] == len(content)
    assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
    assert other["attachments"] == []


def test_a_repeated_attachment_client_reference_attaches_again_as_for_cases(sim, client):
    token = sign_in(client, sim.service_url)
    client.post(sim.service_url, content=envelope(create_body(token, "ref-1")))
    body = envelope(attachment_body(token, "CS-000001", "a-1", b64encode(b"one").decode()))

    client.post(sim.service_url, content=body)
    client.post(sim.service_url, content=body)
    listing = f'<c:GetCaseAttachments xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    listing += "<c:CaseReference>CS-000001</c:CaseReference></c:GetCaseAttachments>"
    found = etree.fromstring(client.post(sim.service_url, content=envelope(listing)).content)

    assert [a["attachment_id"] for a in sim.attachments] == ["ATT-000001", "ATT-000002"]
    assert [e.text for e in found.iter(f"{{{NS}}}AttachmentId")] == ["ATT-000001", "ATT-000002"]
    assert [e.text for e in found.iter(f"{{{NS}}}ClientReference")] == ["a-1", "a-1"]


def test_faults_hit_the_attachment_calls_too_and_are_counted_by_operation(sim, client):
    # Given the system attaches the next file and hangs up, then fails a listing of the files
    token = sign_in(client, sim.service_url)
    client.post(sim.service_url, content=envelope(create_body(token, "ref-1")))
    body = envelope(attachment_body(token, "CS-000001", "a-1", b64encode(b"one").decode()))
    sim.set_faults(drop_response=True, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(sim.service_url, content=body)
    sim.set_faults(error_rate=1.0, times=2)
    listing = f'<c:GetCaseAttachments xmlns:c="{NS}"><c:SessionToken>{token}</c:SessionToken>'
    listing += "<c:CaseReference>CS-000001</c:CaseReference></c:GetCaseAttachments>"
    listed = client.post(sim.service_url, content=envelope(listing))
    wsdl = client.get(f"{sim.url}/CaseService?wsdl")

    # Then the dropped file was attached (committed, its answer lost), the listing failed, and
    # each fault is counted under its operation (every operation is POSTed to one address)
    assert [a["client_reference"] for a in sim.attachments] == ["a-1"]
    assert (listed.status_code, wsdl.status_code) == (503, 503)
    assert client.get(f"{sim.url}/_stats").json()["injected_by_call"] == {
        "AddAttachment": {"drop": 1},
        "GetCaseAttachments": {"error": 1},
        "GET /CaseService": {"error": 1},
    }


def test_a_system_with_unique_client_references_answers_a_repeated_attachment_with_the_first(
    client,
):
    with SoapCaseSimulator(
        username=USERNAME, password=PASSWORD, unique_client_reference=True
    ) as unique:
        token = sign_in(client, unique.service_url)
        client.post(unique.service_url, content=envelope(create_body(token, "r")))
        body = envelope(attachment_body(token, "CS-000001", "a-1", b64encode(b"one").decode()))

        answers = [etree.fromstring(client.post(unique.service_url, content=body).content)]
        answers.append(etree.fromstring(client.post(unique.service_url, content=body).content))

        assert [a.findtext(f".//{{{NS}}}AttachmentId") for a in answers] == ["ATT-000001"] * 2
        assert [a.findtext(f".//{{{NS}}}Created") for a in answers] == ["true", "false"]
        assert len(unique.attachments) == 1


@pytest.mark.parametrize(
    ("case", "content", "fault"),
    [
        ("CS-000009", b64encode(b"x").decode(), "Case 'CS-000009' is not known"),
        ("CS-000001", "not base64!", "Content is not base64"),
        ("CS-000001", "", "Content is empty"),
        ("CS-000001", b64encode(b"x" * 101).decode(), "the most this system takes is 100"),
    ],
)
def test_an_attachment_the_system_cannot_take_is_a_validation_fault_and_kept_nowhere(
    client, case, content, fault
):
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, max_attachment_bytes=100) as s:
        token = sign_in(client, s.service_url)
        client.post(s.service_url, content=envelope(create_body(token, "r")))

        response = client.post(
            s.service_url, content=envelope(attachment_body(token, case, "a-1", content))
        )

        code, message = fault_of(response)
        assert (response.status_code, code) == (500, "soap:Client.Validation")
        assert fault in message
        assert s.attachments == []


def test_a_ten_megabyte_attachment_is_taken(sim, client):
    # Its base64 is longer than libxml2's default limit on one text node (10,000,000 bytes)
    token = sign_in(client, sim.service_url)
    client.post(sim.service_url, content=envelope(create_body(token, "r")))
    content = bytes(range(256)) * (10 * 1024 * 1024 // 256)

    response = client.post(
        sim.service_url,
        content=envelope(attachment_body(token, "CS-000001", "big", b64encode(content).decode())),
    )

    assert response.status_code == 200
    assert sim.attachments[0]["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_system_that_takes_no_files_has_no_attachment_operations_in_its_wsdl(client):
    with SoapCaseSimulator(attachments=False) as old:
        document = client.get(old.wsdl_url).text

    assert 'operation name="AddAttachment"' not in document
    assert 'operation name="GetCaseAttachments"' not in document
    assert 'operation name="FindCasesByClientReference"' in document
