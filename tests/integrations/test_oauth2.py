"""The OAuth2 client-credentials token source against a real token endpoint on loopback."""

import threading
import time

import httpx
import pytest

from integrations import oauth2
from integrations.base import PermanentError, TransientError
from integrations.http import client
from integrations.oauth2 import TokenSource, bearer, send_with_token
from integrations.simulators.base import RecordedRequest, Response, Simulator
from integrations.simulators.crm import CRMSimulator

CLIENT_ID, CLIENT_SECRET = "portal", "s3cret-client-value"


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    oauth2.clear_cache()
    yield
    oauth2.clear_cache()


@pytest.fixture
def crm():
    with CRMSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=3) as simulator:
        yield simulator


def source_for(crm: CRMSimulator, secret: str = CLIENT_SECRET, **options) -> TokenSource:
    return TokenSource(crm.token_url, CLIENT_ID, secret, **options)


def who_am_i(crm: CRMSimulator, source: TokenSource):
    url = f"{crm.url}/api/data/v9.2/WhoAmI"
    return send_with_token(source, lambda token: client().get(url, headers=bearer(token)))


def test_a_token_is_fetched_with_client_credentials_and_reused(crm):
    source = source_for(crm, scope="https://council.crm11.dynamics.com/.default")

    tokens = {source.token() for _ in range(10)}

    assert len(tokens) == 1
    assert crm.token_requests == 1
    (request,) = crm.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(pair.split("=", 1) for pair in request.body.decode().split("&"))
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID
    assert form["scope"] == "https%3A%2F%2Fcouncil.crm11.dynamics.com%2F.default"


def test_sources_for_the_same_credentials_share_the_cached_token(crm):
    first, second = source_for(crm), source_for(crm)

    assert first.token() == second.token()
    assert crm.token_requests == 1


def test_a_different_scope_or_secret_gets_its_own_token(crm):
    source_for(crm).token()
    source_for(crm, scope="other").token()
    with pytest.raises(PermanentError):
        source_for(crm, secret="wrong").token()  # never borrows the good secret's token

    assert crm.token_requests == 2


def test_many_threads_with_a_cold_cache_make_one_token_request(crm):
    crm.set_faults(latency=0.2, times=1)  # the first token request is slow
    source = source_for(crm)
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(source.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(tokens) == 8
    assert len(set(tokens)) == 1
    assert crm.token_requests == 1


def test_a_token_is_renewed_before_it_expires():
    with CRMSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, token_lifetime=1) as crm:
        source = source_for(crm)
        first = source.token()
        time.sleep(1.0)  # past the expiry less the safety margin (a tenth of the lifetime)

        second = source.token()

        assert second != first
        assert crm.token_requests == 2
        assert who_am_i(crm, source).status_code == 200


def test_a_refused_token_is_replaced_once_and_the_request_sent_again(crm):
    source = source_for(crm)
    assert who_am_i(crm, source).status_code == 200
    crm.revoke_tokens()

    response = who_am_i(crm, source)

    assert response.status_code == 200
    assert crm.token_requests == 2
    statuses = [r.path.rsplit("/", 1)[-1] for r in crm.requests]
    assert statuses == ["token", "WhoAmI", "WhoAmI", "token", "WhoAmI"]


def test_a_token_refused_again_after_renewal_is_returned_to_the_caller_without_a_third_try(crm):
    source = source_for(crm)
    crm.tokens_accepted = False  # issued, but the CRM has no application user for this client

    response = who_am_i(crm, source)

    assert response.status_code == 401
    assert crm.token_requests == 2
    assert [r.path.rsplit("/", 1)[-1] for r in crm.requests] == [
        "token",
        "WhoAmI",
        "token",
        "WhoAmI",
    ]


def test_invalidating_a_token_that_was_already_replaced_keeps_the_new_one(crm):
    source = source_for(crm)
    old = source.token()
    source.invalidate(old)
    new = source.token()

    source.invalidate(old)  # a second thread refused the same old token

    assert source.token() == new
    assert crm.token_requests == 2


def test_a_wrong_client_secret_is_permanent_and_never_shows_the_secret(crm):
    with pytest.raises(PermanentError, match="refused the client credentials") as failure:
        source_for(crm, secret="wrong-secret-value").token()

    assert failure.value.status_code == 401
    assert "invalid_client" in str(failure.value)
    assert "wrong-secret-value" not in failure.value.excerpt


def test_a_token_endpoint_that_is_failing_is_transient(crm):
    crm.set_faults(error_rate=1.0, error_status=503)

    with pytest.raises(TransientError, match="token endpoint answered 503") as failure:
        source_for(crm).token()

    assert failure.value.status_code == 503


def test_a_rate_limited_token_endpoint_is_transient_with_retry_after(crm):
    crm.set_faults(rate_limit=9)

    with pytest.raises(TransientError) as failure:
        source_for(crm).token()

    assert failure.value.retry_after == 9.0


def test_a_token_endpoint_that_times_out_is_transient(crm):
    crm.set_faults(latency=3.0)

    with pytest.raises(TransientError, match="read timeout"):
        source_for(crm, timeout=httpx.Timeout(0.3)).token()


def test_a_token_endpoint_that_is_down_is_transient(crm):
    url = crm.token_url
    crm.stop()

    with pytest.raises(TransientError, match="ConnectError"):
        TokenSource(url, CLIENT_ID, CLIENT_SECRET).token()


class NotATokenEndpoint(Simulator):
    def handle(self, request: RecordedRequest) -> Response:
        return Response(200, b"<html>Sign in to continue</html>", {"Content-Type": "text/html"})


def test_a_token_address_that_answers_without_a_token_is_permanent():
    with NotATokenEndpoint() as page:
        source = TokenSource(f"{page.url}/login", CLIENT_ID, CLIENT_SECRET)

        with pytest.raises(PermanentError, match="without an access_token"):
            source.token()
