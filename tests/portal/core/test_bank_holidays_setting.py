"""BANK_HOLIDAYS is checked when the portal starts: a value that is not one of the UK's four
bank holiday regions stops it with a message naming them, rather than failing on every
"Your requests" page later."""

import pytest

from tests.portal.test_security import production_env, run_python


@pytest.mark.parametrize("value", ["XYZ", "eng", "GB", ""])
def test_a_bank_holidays_value_that_is_not_a_region_stops_the_portal_starting(value):
    result = run_python("import django; django.setup()", production_env(BANK_HOLIDAYS=value))

    assert result.returncode != 0
    assert "ImproperlyConfigured: BANK_HOLIDAYS must be one of ENG (England), WLS (Wales), " in (
        result.stderr
    )


def test_scotland_s_bank_holidays_are_taken_and_england_s_are_the_default():
    code = "import django; from django.conf import settings; print(settings.BANK_HOLIDAYS)"

    assert run_python(code, production_env(BANK_HOLIDAYS="SCT")).stdout.strip() == "SCT"
    env = production_env()
    env.pop("BANK_HOLIDAYS", None)
    assert run_python(code, env).stdout.strip() == "ENG"
