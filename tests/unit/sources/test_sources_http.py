"""get_with_retries and make_client over httpx.MockTransport: retries, Retry-After, bounds, validators."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from worker.sources import (
    FetchState,
    SourceConfigError,
    SourceError,
    SourceFormatError,
    SourceHTTPError,
    SourceTooLarge,
    SourceUnavailable,
    get_with_retries,
    make_client,
)
from worker.sources.http import DEFAULT_TIMEOUT, FetchPolicy

pytestmark = pytest.mark.timeout(10)

URL = "https://feeds.example/jobs.json"
Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*replies: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with `replies` in turn (an exception is raised), recording each request."""
    seen: list[httpx.Request] = []
    pending = iter(replies)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = next(pending)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return handle, seen


def client_for(handler: Handler) -> httpx.Client:
    return make_client(transport=httpx.MockTransport(handler))


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Iterator[Sleeps]:
    yield Sleeps()


def test_a_500_then_a_200_succeeds(sleeps: Sleeps) -> None:
    handler, seen = scripted(httpx.Response(500), httpx.Response(200, content=b"[]"))
    with client_for(handler) as client:
        fetched = get_with_retries(client, URL, sleep=sleeps, jitter=lambda: 0.5)
    assert fetched.content == b"[]" and fetched.status_code == 200 and not fetched.not_modified
    assert len(seen) == 2
    assert sleeps == [0.5]


def test_backoff_doubles_and_persistent_500_gives_up_unavailable(sleeps: Sleeps) -> None:
    handler, seen = scripted(*(httpx.Response(503) for _ in range(4)))
    with client_for(handler) as client, pytest.raises(SourceUnavailable) as caught:
        get_with_retries(client, URL, source="acme", sleep=sleeps, jitter=lambda: 0.5)
    assert caught.match(r"acme: GET https://feeds\.example/jobs\.json: gave up after 4 attempts: HTTP 503")
    assert caught.value.attempts == 4 and caught.value.url == URL and caught.value.source == "acme"
    assert len(seen) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_jitter_stays_within_half_to_one_and_a_half_of_the_step(sleeps: Sleeps) -> None:
    handler, _ = scripted(httpx.Response(502), httpx.Response(502), httpx.Response(200))
    with client_for(handler) as client:
        get_with_retries(client, URL, backoff=1.0, sleep=sleeps)
    assert 0.5 <= sleeps[0] < 1.5 and 1.0 <= sleeps[1] < 3.0


def test_429_retry_after_seconds_is_honoured(sleeps: Sleeps) -> None:
    handler, _ = scripted(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, content=b"ok"))
    with client_for(handler) as client:
        assert get_with_retries(client, URL, sleep=sleeps).content == b"ok"
    assert sleeps == [3.0]


def test_retry_after_as_an_http_date_is_honoured(sleeps: Sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    handler, _ = scripted(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200))
    with client_for(handler) as client:
        get_with_retries(client, URL, sleep=sleeps)
    assert len(sleeps) == 1 and 5 < sleeps[0] <= 10


def test_retry_after_beyond_the_cap_gives_up_at_once_and_says_when(sleeps: Sleeps) -> None:
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "120"}))
    with client_for(handler) as client, pytest.raises(SourceUnavailable, match="retry after 120 s") as caught:
        get_with_retries(client, URL, sleep=sleeps, max_retry_after=30)
    assert caught.value.retry_after == 120.0 and caught.value.attempts == 1
    assert len(seen) == 1 and sleeps == []


def test_transport_errors_are_retried(sleeps: Sleeps) -> None:
    handler, seen = scripted(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200))
    with client_for(handler) as client:
        assert get_with_retries(client, URL, sleep=sleeps).status_code == 200
    assert len(seen) == 3 and len(sleeps) == 2


def test_timeouts_until_the_end_are_unavailable(sleeps: Sleeps) -> None:
    handler, _ = scripted(*(httpx.ConnectTimeout("slow") for _ in range(3)))
    with (
        client_for(handler) as client,
        pytest.raises(SourceUnavailable, match=r"timed out \(ConnectTimeout\)"),
    ):
        get_with_retries(client, URL, max_attempts=3, sleep=sleeps)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_permanent_4xx_is_raised_at_once(status: int, sleeps: Sleeps) -> None:
    handler, seen = scripted(httpx.Response(status))
    with client_for(handler) as client, pytest.raises(SourceHTTPError, match=f"HTTP {status}") as caught:
        get_with_retries(client, URL, source="acme", sleep=sleeps)
    assert caught.value.status_code == status
    assert len(seen) == 1 and sleeps == []


def test_conditional_headers_come_from_state_and_304_is_not_modified() -> None:
    handler, seen = scripted(httpx.Response(304))
    state = FetchState(etag='W/"abc"', last_modified="Tue, 05 Mar 2024 10:00:00 GMT")
    with client_for(handler) as client:
        fetched = get_with_retries(client, URL, state=state)
    assert seen[0].headers["If-None-Match"] == 'W/"abc"'
    assert seen[0].headers["If-Modified-Since"] == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert fetched.not_modified and fetched.content == b""
    assert fetched.state == state  # a 304 without validators keeps the old ones


def test_a_200_carries_the_new_validators() -> None:
    handler, seen = scripted(httpx.Response(200, headers={"ETag": '"v2"', "Last-Modified": "Wed, 06 Mar 2024"}))
    with client_for(handler) as client:
        fetched = get_with_retries(client, URL, state=FetchState())
    assert "If-None-Match" not in seen[0].headers
    assert fetched.state == FetchState(etag='"v2"', last_modified="Wed, 06 Mar 2024")


def test_params_go_on_the_url_and_errors_show_them() -> None:
    handler, seen = scripted(httpx.Response(404))
    with client_for(handler) as client, pytest.raises(SourceHTTPError, match=r"jobs\.json\?skip=2&limit=5"):
        get_with_retries(client, URL, params={"skip": 2, "limit": 5})
    assert seen[0].url.params["skip"] == "2"


def test_params_merge_with_a_query_already_on_the_url() -> None:
    handler, seen = scripted(httpx.Response(200))
    with client_for(handler) as client:
        get_with_retries(client, f"{URL}?key=abc", params={"skip": 0})
    assert str(seen[0].url) == f"{URL}?key=abc&skip=0"


def test_a_declared_length_past_the_bound_is_refused_before_reading() -> None:
    handler, seen = scripted(httpx.Response(200, content=b"x" * 2000))
    with (
        client_for(handler) as client,
        pytest.raises(SourceTooLarge, match="response larger than 1000 bytes"),
    ):
        get_with_retries(client, URL, max_bytes=1000)
    assert len(seen) == 1


def test_a_streamed_body_past_the_bound_is_cut_off() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"y" * 100

    handler, _ = scripted(httpx.Response(200, content=chunks()))  # no Content-Length: chunked
    with client_for(handler) as client, pytest.raises(SourceTooLarge, match="larger than 1000 bytes"):
        get_with_retries(client, URL, max_bytes=1000)


def test_a_body_exactly_at_the_bound_is_fine() -> None:
    handler, _ = scripted(httpx.Response(200, content=b"z" * 1000))
    with client_for(handler) as client:
        assert len(get_with_retries(client, URL, max_bytes=1000).content) == 1000


def test_an_undecodable_body_is_a_format_error() -> None:
    broken = httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip"))
    handler, _ = scripted(broken)
    with client_for(handler) as client, pytest.raises(SourceFormatError, match="could not decode the body"):
        get_with_retries(client, URL)


def test_a_redirect_that_is_not_followed_is_an_http_error() -> None:
    handler, _ = scripted(httpx.Response(301, headers={"Location": "https://elsewhere.example/"}))
    no_redirects = httpx.Client(transport=httpx.MockTransport(handler), timeout=1.0)
    with no_redirects as client, pytest.raises(SourceHTTPError, match="HTTP 301"):
        get_with_retries(client, URL)


def test_an_unsupported_scheme_is_a_config_error() -> None:
    with make_client() as client, pytest.raises(SourceConfigError):
        get_with_retries(client, "ftp://files.example/jobs.json")


def test_source_errors_share_one_base_class() -> None:
    for error in (SourceConfigError, SourceUnavailable, SourceHTTPError, SourceTooLarge, SourceFormatError):
        assert issubclass(error, SourceError)


def test_make_client_has_an_explicit_timeout_and_a_jobmatch_user_agent() -> None:
    handler, seen = scripted(httpx.Response(200))
    with client_for(handler) as client:
        client.get(URL)
        assert client.timeout.read == DEFAULT_TIMEOUT and client.timeout.connect == 5.0
    assert seen[0].headers["User-Agent"].startswith("jobmatch/")
    assert seen[0].headers["User-Agent"].endswith("(+https://github.com/jobmatch)")
    with make_client("probe/1.0", timeout=2.5) as client:
        assert client.headers["User-Agent"] == "probe/1.0"
        assert client.timeout.read == 2.5 and client.timeout.connect == 2.5


def test_fetch_policy_passes_its_settings_through(sleeps: Sleeps) -> None:
    handler, seen = scripted(httpx.Response(500), httpx.Response(500))
    policy = FetchPolicy(max_attempts=2, backoff=0.01, sleep=sleeps)
    with client_for(handler) as client, pytest.raises(SourceUnavailable, match="gave up after 2 attempts"):
        policy.get(client, URL, source="acme")
    assert len(seen) == 2 and len(sleeps) == 1 and sleeps[0] < 0.02
