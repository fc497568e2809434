"""The built assets survive the production static files pipeline."""

import os
import re
import subprocess
import sys

import pytest

from tests.browser.conftest import REPO_ROOT

pytestmark = pytest.mark.browser  # needs `make assets`, like the browser tests


def test_collectstatic_with_the_production_storage_hashes_the_stylesheet(tmp_path):
    # ManifestStaticFilesStorage fails on any url() in the CSS that points at a missing file.
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    built = tmp_path / "static" / "build"
    (css,) = [
        p for p in built.glob("portal.*.css") if re.fullmatch(r"portal\.[0-9a-f]{12}\.css", p.name)
    ]
    assert re.search(r"govuk/assets/images/govuk-crest\.[0-9a-f]{12}\.svg", css.read_text())
    # Leaflet, for the location question's map: its stylesheet's images and its script's source map.
    (leaflet_css,) = (built / "leaflet").glob("leaflet.*.css")
    assert re.search(r"images/layers\.[0-9a-f]{12}\.png", leaflet_css.read_text())
    (leaflet_js,) = (built / "leaflet").glob("leaflet.*.js")
    assert re.search(r"sourceMappingURL=leaflet\.js\.[0-9a-f]{12}\.map", leaflet_js.read_text())
