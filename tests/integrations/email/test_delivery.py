"""The e-mail adapter against a real SMTP server on loopback (aiosmtpd): no mocks."""

import csv
import io
import json
import time
from typing import Any

import pytest

from integrations.base import DeliveryFile, PermanentError, TransientError
from integrations.email.adapter import EmailAdapter
from integrations.files import readable_size
from integrations.simulators.smtp import SMTPSimulator
from tests.file_samples import two_photos_and_a_pdf

PAYLOAD = {
    "service": "Noise",
    "reference": "MC-2026-000042",
    "Your name": "Jo Bloggs-Testperson",
    "What is happening?": "Music <script>alert('x')</script> & shouting\nafter midnight",
    "Which nights?": ["Friday", "Saturday"],
    "Cost of damage": '=HYPERLINK("http://evil.example")',
}


# --- Success -------------------------------------------------------------------------------------


def test_the_team_gets_one_message_with_text_html_json_and_csv(sim, adapter):
    reference = adapter.deliver(PAYLOAD, "0b5e4c1e-key-1")

    (received,) = sim.messages
    message = received.message
    assert reference == "<0b5e4c1e-key-1@council.example>"
    assert received.recipients == ("noise-team@council.example", "duty-officer@council.example")
    assert received.mail_from == "portal@council.example"
    assert message["Subject"] == "Noise: MC-2026-000042"
    assert message["Message-ID"] == reference
    assert message["X-Portal-Reference"] == "0b5e4c1e-key-1"

    text = received.body("plain")
    assert (
        "What is happening?:\n  Music <script>alert('x')</script> & shouting\n  after midnight"
        in (text)
    )
    assert "Which nights?:\n  Friday, Saturday" in text

    html = received.body("html")
    assert "<script>" not in html
    assert "Music &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; shouting" in html
    assert '<th scope="row"' in html
    assert ">Your name</th>" in html

    attachments = received.attachments()
    assert set(attachments) == {"answers.json", "answers.csv"}
    assert json.loads(attachments["answers.json"]) == PAYLOAD
    rows = list(csv.reader(io.StringIO(attachments["answers.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["field", "value"]
    assert ["Which nights?", "Friday, Saturday"] in rows
    assert ["Your name", "Jo Bloggs-Testperson"] in rows
    # A spreadsheet would run this as a formula; the team sees it as text.
    assert ["Cost of damage", '\'=HYPERLINK("http://evil.example")'] in rows


def test_uploaded_files_are_attached_under_the_residents_names(sim, adapter, photo):
    first, second = photo("pothole.jpg", id="photo"), photo("pothole.jpg", id="more")
    payload = {"reference": "MC-1", "Photo": first, "More photos": [second]}

    adapter.deliver(payload, "key-with-files")

    (received,) = sim.messages
    attachments = received.attachments()
    assert set(attachments) == {"answers.json", "answers.csv", "pothole.jpg", "pothole-2.jpg"}
    assert attachments["pothole.jpg"] == first.read()
    parts = {p.get_filename(): p.get_content_type() for p in received.message.iter_attachments()}
    assert parts["pothole.jpg"] == "image/jpeg"
    answers = json.loads(attachments["answers.json"])
    assert answers["Photo"] == {**first.describe(), "attachment": "pothole.jpg"}
    assert answers["More photos"] == [
        {**second.describe(), "name": "pothole-2.jpg", "attachment": "pothole-2.jpg"}
    ]
    assert "Photo:\n  pothole.jpg (attached)" in received.body("plain")


def test_two_photos_and_a_pdf_arrive_byte_identical(sim, adapter):
    # Given a case with two photos and a letter, one of them mapped twice
    photo, close_up, letter = two_photos_and_a_pdf()
    payload = {"reference": "MC-1", "Photo": photo, "Evidence": [photo, close_up, letter]}

    # When it is delivered
    adapter.deliver(payload, "key-three-files")

    # Then the mail server received each file once, with its type, size and hash unchanged
    (record,) = sim.records()
    received = [f for f in record["files"] if f["name"] not in ("answers.json", "answers.csv")]
    assert received == [
        {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
        for f in (photo, close_up, letter)
    ]


def test_files_bigger_than_the_limit_together_are_sent_as_links_instead(sim, make_adapter):
    # Given a connection that attaches at most 1,000 bytes, and files bigger than that together
    adapter = make_adapter(max_attachment_bytes=1000)
    photo, close_up, letter = (
        DeliveryFile.from_bytes(f.id, f.name, f.content_type, f.read(), url=f"https://p/{f.id}/")
        for f in two_photos_and_a_pdf()
    )
    assert photo.size + close_up.size + letter.size > 1000
    payload = {"reference": "MC-1", "Photo": photo, "Evidence": [close_up, letter]}

    # When it is delivered
    adapter.deliver(payload, "key-big")

    # Then nothing is attached but the answers, and the message says why and links each file
    (received,) = sim.messages
    assert set(received.attachments()) == {"answers.json", "answers.csv"}
    text = received.body("plain")
    assert "more than this connection sends as attachments (1000 bytes)" in text
    assert "Photo:\n  pothole.jpg (link below)" in text
    assert f"pothole.jpg (image/jpeg, {readable_size(photo.size)}):\n  https://p/photo/" in text
    assert f"letter.pdf (application/pdf, {readable_size(letter.size)}):\n  https://p/letter/" in (
        text
    )
    assert '<a href="https://p/close_up/">close-up.png</a> (image/png' in received.body("html")
    answers = json.loads(received.attachments()["answers.json"])
    assert answers["Evidence"][1] == {**letter.describe(), "link": "https://p/letter/"}


def test_a_file_that_can_no_longer_be_had_fails_permanently_and_nothing_is_sent(sim, adapter):
    def deleted() -> Any:
        raise PermanentError("The file 'gone.jpg' was deleted under the retention policy")

    gone = DeliveryFile("photo", "gone.jpg", "image/jpeg", 3, "0" * 64, deleted, deleted)

    with pytest.raises(PermanentError, match="deleted under the retention policy"):
        adapter.deliver({"Photo": gone}, "k")

    assert sim.messages == []


def test_a_file_whose_bytes_changed_since_upload_is_not_sent(sim, adapter, photo):
    original = photo()
    tampered = DeliveryFile(
        "photo",
        "pothole.jpg",
        "image/jpeg",
        original.size,
        original.sha256,
        opener=lambda: b"not the photo",
        linker=lambda: "",
    )

    with pytest.raises(PermanentError, match="has changed since it was uploaded"):
        adapter.deliver({"Photo": tampered}, "k")

    assert sim.messages == []


def test_a_value_that_only_looks_like_an_old_file_answer_is_just_text(sim, adapter):
    sneaky = {"reference": "../settings.py", "name": "settings.py"}

    adapter.deliver({"Photo": sneaky}, "k")

    (received,) = sim.messages
    assert set(received.attachments()) == {"answers.json", "answers.csv"}


def test_a_line_break_in_a_subject_field_cannot_add_a_header(sim, make_adapter):
    adapter = make_adapter(subject_template="{reference} {Your name}")

    adapter.deliver({"reference": "MC-9", "Your name": "Jo\r\nBcc: victim@example.org"}, "k")

    (received,) = sim.messages
    assert received.message["Subject"] == "MC-9 Jo Bcc: victim@example.org"
    assert received.message["Bcc"] is None
    assert received.recipients == ("noise-team@council.example", "duty-officer@council.example")


def test_subject_fields_the_payload_lacks_are_left_out(sim, make_adapter):
    make_adapter(subject_template="New {service} case {reference}").deliver(
        {"reference": "R1"}, "k"
    )

    assert sim.messages[0].message["Subject"] == "New case R1"


# --- Idempotency ---------------------------------------------------------------------------------


def test_the_message_id_is_the_same_for_every_attempt_with_one_key(sim, adapter):
    first = adapter.deliver(PAYLOAD, "same-key")
    again = adapter.deliver(PAYLOAD, "same-key")
    other = adapter.deliver(PAYLOAD, "other-key")

    assert first == again == "<same-key@council.example>"
    assert other != first
    assert [m.message_id for m in sim.messages] == [first, first, other]


def test_an_answer_lost_after_data_is_transient_and_the_retry_carries_the_same_message_id(
    sim, adapter
):
    # Given the server takes the message and hangs up before saying so
    sim.set_faults(drop_after_data=True, times=1)

    # When the first attempt fails and the engine retries with the same key
    with pytest.raises(TransientError, match="hung up"):
        adapter.deliver(PAYLOAD, "lost-answer-key")
    assert sim.count_for("<lost-answer-key@council.example>") == 1  # it was taken
    reference = adapter.deliver(PAYLOAD, "lost-answer-key")

    # Then the copy carries the same Message-ID, by which mail clients treat both as one
    assert reference == "<lost-answer-key@council.example>"
    first, second = sim.messages
    assert first.message_id == second.message_id == reference
    assert first.message["X-Portal-Reference"] == second.message["X-Portal-Reference"]
    assert sim.injected == {"drop": 1}


# --- Transient failures --------------------------------------------------------------------------


def test_451_try_again_later_is_transient_and_the_retry_succeeds(sim, adapter):
    sim.set_faults(reject=451, times=1)

    with pytest.raises(TransientError, match="try later \\(451\\)") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 451
    assert failure.value.excerpt.startswith("451 4.3.0")
    assert sim.messages == []
    assert adapter.deliver(PAYLOAD, "k") == "<k@council.example>"
    assert sim.count_for("<k@council.example>") == 1


def test_recipients_busy_with_a_4xx_is_transient(sim, adapter):
    sim.set_faults(reject_recipients=450)

    with pytest.raises(TransientError, match="recipients") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 450


def test_a_server_slower_than_the_timeout_is_transient_and_quick(sim, make_adapter):
    adapter = make_adapter(timeout=0.3)
    sim.set_faults(latency=3.0, times=1)

    started = time.monotonic()
    with pytest.raises(TransientError):
        adapter.deliver(PAYLOAD, "k")

    assert time.monotonic() - started < 2.0


def test_a_mail_server_that_is_down_is_transient(sim, adapter):
    sim.stop()

    with pytest.raises(TransientError, match="Could not reach the mail server: ConnectionRefused"):
        adapter.deliver(PAYLOAD, "k")


# --- Permanent failures --------------------------------------------------------------------------


def test_550_refused_message_is_permanent(sim, adapter):
    sim.set_faults(reject=550)

    with pytest.raises(PermanentError, match="refused the message \\(550\\)") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 550
    assert sim.messages == []


def test_unknown_recipients_are_permanent(sim, adapter):
    sim.set_faults(reject_recipients=550)

    with pytest.raises(PermanentError, match="refused the recipients \\(2\\)") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 550
    assert "5.1.1" in failure.value.excerpt


def test_a_wrong_password_gets_535_and_is_permanent(sim, make_adapter):
    adapter = make_adapter(password="not-the-password")

    with pytest.raises(PermanentError, match="user name or password") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 535
    assert sim.auth_failures >= 1
    assert sim.messages == []


def test_no_credentials_where_the_server_requires_them_is_permanent(sim, make_adapter):
    adapter = make_adapter(username="", password="")

    with pytest.raises(PermanentError, match="user name or password") as failure:
        adapter.deliver(PAYLOAD, "k")

    assert failure.value.status_code == 530


def test_starttls_against_a_server_without_it_is_permanent(sim, make_adapter):
    adapter = make_adapter(security="starttls")

    with pytest.raises(PermanentError, match="does not support"):
        adapter.deliver(PAYLOAD, "k")

    assert sim.messages == []


# --- Connection check ----------------------------------------------------------------------------


def test_check_connection_logs_in_and_says_nothing_when_all_is_well(sim, adapter):
    adapter.check_connection()

    assert sim.messages == []
    assert sim.auth_failures == 0


def test_check_connection_reports_a_wrong_password_and_a_server_that_is_down(sim, make_adapter):
    with pytest.raises(PermanentError, match="user name or password"):
        make_adapter(password="wrong").check_connection()
    adapter = make_adapter()
    sim.stop()
    with pytest.raises(TransientError):
        adapter.check_connection()


def test_a_server_without_authentication_takes_mail_without_credentials():
    with SMTPSimulator() as open_relay:
        config = {
            "to": ["team@council.example"],
            "from_email": "portal@council.example",
            "host": "localhost",
            "port": open_relay.port,
            "security": "none",
        }
        adapter = EmailAdapter(EmailAdapter.validate_config(config))

        adapter.deliver({"reference": "MC-3"}, "k")

        assert open_relay.messages[0].message["Subject"] == "MC-3"
