"""The SOAP case system simulator itself, over plain HTTP: what the demo and suites rely on."""

import os
import socket
import subprocess
import sys

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
