"""Times read the GOV.UK way ("3:15am", "midday"), in English and Welsh, wherever they are shown."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.core.templatetags.govuk_dates import govuk_time_text
from tests.portal.accounts.factories import UserFactory
from tests.portal.catalogue.helpers import texts
from tests.portal.dashboard.factories import SubmissionFactory

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "english", "welsh"),
    [
        (time(3, 15), "3:15am", "3:15yb"),
        (time(9, 0), "9am", "9yb"),
        (time(12, 0), "midday", "hanner dydd"),
        (time(0, 0), "midnight", "hanner nos"),
        (time(12, 30), "12:30pm", "12:30yh"),
        (time(0, 5), "12:05am", "12:05yb"),
        (time(17, 45, 59), "5:45pm", "5:45yh"),
    ],
)
def test_times_are_written_in_govuk_style_in_english_and_welsh(moment, english, welsh):
    assert govuk_time_text(moment, "en") == english
    assert govuk_time_text(moment, "en-gb") == english
    assert govuk_time_text(moment, "cy") == welsh


def test_a_request_sent_at_a_quarter_past_three_says_3_15am_on_its_page(client, catalogue):
    # Given a request sent at 03:15 London time, in summer time (so UTC is an hour behind)
    me = UserFactory()
    submission = SubmissionFactory(user=me)
    sent = datetime(2026, 7, 1, 3, 15, tzinfo=LONDON)
    type(submission).objects.filter(pk=submission.pk).update(created_at=sent)
    client.force_login(me)

    # When they open it, in English and in Welsh
    english = client.get(f"/account/requests/{submission.reference}/")
    welsh = client.get(f"/cy/account/requests/{submission.reference}/")

    # Then the time is "3:15am" (and "3:15yb"), never "3:15a.m."
    assert dict(zip(texts(english, "dt"), texts(english, "dd"), strict=False))["Sent"] == (
        "1 July 2026 at 3:15am"
    )
    assert "3:15yb" in welsh.content.decode()
    assert "a.m." not in english.content.decode()


def test_a_status_update_at_noon_says_midday_on_the_timeline(client, catalogue):
    # Given a request sent at exactly 12:00
    me = UserFactory()
    submission = SubmissionFactory(user=me)
    type(submission).objects.filter(pk=submission.pk).update(
        created_at=datetime(2026, 1, 10, 12, 0, tzinfo=LONDON)
    )
    client.force_login(me)

    # When they open it
    html = client.get(f"/account/requests/{submission.reference}/").content.decode()

    # Then its timeline and summary say midday
    assert html.count("10 January 2026 at midday") == 2
    assert "p.m." not in html
