"""A resident's reply, reopening or "not fixed" reaches the service team's mailbox as a reply
e-mail threaded on the case's message, its files attached once, its Message-ID the same on
every retry."""

import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.smtp import SMTPSimulator
from tests.integrations.case_files import jpeg, pdf
from tests.integrations.updates_out import an_update

PHOTO = DeliveryFile.from_bytes("photo", "still there.jpg", "image/jpeg", jpeg(), url="https://p/1")
LETTER = DeliveryFile.from_bytes(
    "letter", "letter.pdf", "application/pdf", pdf(), url="https://p/2"
)


@pytest.fixture
def case(adapter) -> str:
    return adapter.deliver({"service": "Noise", "reference": "MC-1"}, "case-key")


def test_a_reply_is_threaded_on_the_case_with_its_files_attached_once(
    sim: SMTPSimulator, adapter, case
):
    answer = adapter.send_update(case, an_update(PHOTO, LETTER), "update-key")

    (reply,) = sim.replies_to(case)
    assert answer == reply.message_id == "<update-upd-0001@council.example>"
    assert reply.message["References"] == case
    assert reply.message["Subject"] == "Re: The resident replied"
    assert reply.message["X-Portal-Reference"] == "update-key"
    assert reply.message["X-Portal-Update"] == "reply"
    assert "The pothole is about 30 cm across" in reply.body("plain")
    assert "The pothole is about 30 cm across" in reply.body("html")
    assert [(f["name"], f["sha256"]) for f in reply.files()] == [
        ("still there.jpg", PHOTO.sha256),
        ("letter.pdf", LETTER.sha256),
    ]
    assert set(reply.recipients) == {"noise-team@council.example", "duty-officer@council.example"}


def test_a_case_whose_message_id_is_unknown_has_its_reference_in_the_subject(sim, adapter):
    adapter.send_update("NOISE-42", an_update(kind="not_fixed", text="Still loud"), "k")

    (message,) = sim.messages
    assert message.message["Subject"] == "The resident says it is not fixed: NOISE-42"
    assert message.message["In-Reply-To"] is None


def test_files_over_the_limit_go_as_links(sim, make_adapter):
    adapter = make_adapter(max_attachment_bytes=10)

    adapter.send_update("NOISE-42", an_update(PHOTO, LETTER, kind="reopen"), "k")

    (message,) = sim.messages
    assert message.files() == []
    assert "https://p/1" in message.body("plain")
    assert "https://p/2" in message.body("plain")


def test_an_answer_lost_after_the_server_took_it_sends_a_copy_with_the_same_message_id(
    sim, adapter, case
):
    # SMTP is at least once: the retry's copy is the same message to the mailbox (one
    # Message-ID, one thread), which is all the protocol allows. docs/idempotency.md says so.
    sim.set_faults(drop_after_data=True, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(PHOTO), "dropped")

    adapter.resend_update(case, an_update(PHOTO), "dropped", Progress())

    replies = sim.replies_to(case)
    assert {m.message_id for m in replies} == {"<update-upd-0001@council.example>"}
    assert all(len(m.files()) == 1 for m in replies)


def test_an_update_its_progress_holds_is_not_sent_again(sim, adapter, case):
    progress = Progress()
    adapter.send_update(case, an_update(), "held", progress)

    adapter.resend_update(case, an_update(), "held", progress)

    assert len(sim.replies_to(case)) == 1


def test_try_later_is_transient_and_refused_is_permanent(sim, adapter, case):
    sim.set_faults(reject=451, times=1)
    with pytest.raises(TransientError):
        adapter.send_update(case, an_update(), "k")
    sim.set_faults(reject=550, times=1)
    with pytest.raises(PermanentError):
        adapter.send_update(case, an_update(), "k")
    assert sim.replies_to(case) == []
