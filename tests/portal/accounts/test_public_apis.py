"""The project uses allauth through its public API only: its internal modules change without
notice between releases, and an upgrade must not break sign-in, MFA or rate limits silently."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
INTERNAL = re.compile(r"\ballauth(?:\.\w+)*\.internal\b")


def test_no_code_imports_allauth_internal_modules():
    # Given every Python file of the project, the tests included
    files = [
        path
        for top in ("portal", "services", "integrations", "tests")
        for path in (ROOT / top).rglob("*.py")
    ]
    assert len(files) > 100

    # Then none names an allauth.*.internal module (this file's pattern aside)
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if path != Path(__file__).resolve() and INTERNAL.search(path.read_text())
    ]
    assert offenders == []
