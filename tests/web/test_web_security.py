"""Web security and limits: Host/Origin checks, the token, headers, the bounded job pool.

Simulations are replaced by a fake job that blocks until released, so the
pool's states (running, queued, full) are held still while they are checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from web_browser_support import Guard, serve

from corridor.web.jobs import MAX_REPLICATIONS, Jobs
from corridor.web.security import TOKEN_VARIABLE, Security

TOKEN = "s3cret-token-for-tests"
WAIT_MS = 180_000  # the first analysis may compile the numba kernels


@pytest.fixture(scope="module")
def pair(client: Any) -> dict[str, str]:
    return dict(client.get("/api/meta").json()["default_pairs"][0])


class Gate:
    """A fake simulation: reports progress until released, then returns a marker."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)

    def work(self, network: Any, replications: int, seed: int, progress: Any) -> Any:
        self.started.release()
        while not self.release.wait(0.01):
            progress(0.5)  # raises once the job is cancelled
        return {"replications": replications}


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    import corridor.web.jobs
    import corridor.web.service

    g = Gate()
    monkeypatch.setattr(corridor.web.jobs, "call_simulate", g.work)
    monkeypatch.setattr(corridor.web.service, "simulation_available", lambda: True)
    monkeypatch.setattr("corridor.web.app.simulation_available", lambda: True)
    yield g
    g.release.set()


def _client(dataset: str | None, **kwargs: Any) -> Any:
    from fastapi.testclient import TestClient

    from corridor.web.app import create_app

    jobs = kwargs.pop("jobs", None)
    return TestClient(
        create_app(dataset, security=Security(**kwargs), jobs=jobs), base_url="http://127.0.0.1"
    )


def _until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.01)


# --- Host, Origin, token -------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused(client: Any, host: str) -> None:
    r = client.get("/api/health", headers={"Host": host})
    assert r.status_code == 400
    assert "Host" in r.json()["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"])
def test_loopback_host_names_are_accepted(client: Any, host: str) -> None:
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


def test_a_name_given_with_allow_host_is_accepted(dataset: str | None) -> None:
    with _client(dataset, host="0.0.0.0", token=TOKEN, allowed_hosts=("box.lan",)) as c:
        assert c.get("/api/health", headers={"Host": "box.lan:8000"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "other.lan"}).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_cross_site_post_is_refused_before_any_work(
    client: Any, gate: Gate, pair: dict[str, str], headers: dict[str, str]
) -> None:
    jobs = client.app.state.jobs
    before = jobs.counts()
    r = client.post("/api/simulate", params={**pair, "replications": 2}, headers=headers)
    assert r.status_code == 403, r.text
    assert jobs.counts() == before
    assert client.post("/api/jobs/1/cancel", headers=headers).status_code == 403


def test_a_same_origin_post_is_accepted(client: Any, gate: Gate, pair: dict[str, str]) -> None:
    r = client.post(
        "/api/simulate",
        params={**pair, "replications": 2},
        headers={"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 202, r.text
    gate.release.set()
    assert client.app.state.jobs.wait(r.json()["id"], timeout=10).state == "done"


def test_with_a_token_every_post_needs_it_and_reads_do_not(
    dataset: str | None, gate: Gate, pair: dict[str, str]
) -> None:
    with _client(dataset, token=TOKEN) as c:
        params = {**pair, "replications": 2}
        for auth in (None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"):
            headers = {"Authorization": auth} if auth else {}
            r = c.post("/api/simulate", params=params, headers=headers)
            assert r.status_code == 401, (auth, r.text)
            assert TOKEN_VARIABLE in r.json()["detail"]
            assert r.headers["www-authenticate"] == "Bearer"
            assert c.post("/api/jobs/1/cancel", headers=headers).status_code == 401
        assert c.app.state.jobs.counts() == {}
        assert c.get("/api/analyze", params=pair).status_code == 200
        ok = c.post("/api/simulate", params=params, headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 202, ok.text
        cancel = c.post(
            f"/api/jobs/{ok.json()['id']}/cancel", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert cancel.status_code == 200


def test_the_page_carries_the_token_only_when_opened_with_it(dataset: str | None) -> None:
    with _client(dataset, token=TOKEN) as c:
        assert TOKEN not in c.get("/").text
        assert TOKEN not in c.get("/", params={"token": "guess"}).text
        assert "?token=" in c.get("/").text  # the page says how to pass it
        page = c.get("/", params={"token": TOKEN}).text
        assert f'<meta name="corridor-token" content="{TOKEN}">' in page


def test_without_a_token_the_page_has_none_and_posts_need_none(client: Any) -> None:
    page = client.get("/", params={"token": "anything"}).text
    assert "corridor-token" not in page and "?token=" not in page


# --- limits and headers --------------------------------------------------------------


def test_security_headers_are_on_every_response(client: Any) -> None:
    for url in ("/", "/docs", "/api/health", "/static/app.js", "/ui/report.css", "/nowhere"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, url
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.replace("style-src-attr 'unsafe-inline'", "")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
    # Refusals carry them too.
    assert client.get("/", headers={"Host": "evil.example"}).headers["x-frame-options"] == "DENY"


def test_the_dashboard_has_no_inline_style_or_script(client: Any) -> None:
    page = client.get("/").text
    assert "<style" not in page
    assert "<script>" not in page and "<script src=" in page
    assert client.get("/ui/report.css").headers["content-type"].startswith("text/css")


def test_oversized_requests_are_refused(dataset: str | None, client: Any) -> None:
    with _client(dataset, max_body_bytes=100, max_url_bytes=300) as c:
        assert c.post("/api/jobs/1/cancel", content=b"x" * 101).status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b"x" * 80
            yield b"x" * 80

        assert c.post("/api/jobs/1/cancel", content=chunks()).status_code == 413
        assert c.get("/api/health", params={"q": "x" * 400}).status_code == 414
        assert c.post("/api/jobs/1/cancel", content=b"x" * 50).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"replications": MAX_REPLICATIONS + 1},
        {"replications": 0},
        {"growth": "inf"},
        {"growth": "nan"},
        {"growth": 101},
        {"seed": 2**32},
        {"seed": 10**22},
    ],
)
def test_numbers_beyond_their_stated_maxima_are_422(
    client: Any, gate: Gate, pair: dict[str, str], params: dict[str, Any]
) -> None:
    r = client.post("/api/simulate", params={**pair, **params})
    assert r.status_code == 422, r.text
    assert client.app.state.jobs.counts().get("queued", 0) == 0


def test_stated_maxima_are_in_the_openapi_schema(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/simulate"]["post"]["parameters"]}
    assert params["replications"]["maximum"] == MAX_REPLICATIONS
    assert params["growth"]["maximum"] == 100
    assert "/api/jobs/{job_id}/cancel" in spec["paths"]


# --- the job pool ------------------------------------------------------------------------


def test_a_full_queue_is_429_and_cancel_frees_a_place(
    dataset: str | None, gate: Gate, pair: dict[str, str]
) -> None:
    with _client(dataset, jobs=Jobs(workers=1, queue_limit=1)) as c:
        params = {**pair, "replications": 2}
        first = c.post("/api/simulate", params=params).json()
        assert gate.started.acquire(timeout=10)
        assert c.get(f"/api/jobs/{first['id']}").json()["state"] == "running"
        second = c.post("/api/simulate", params=params)
        assert second.status_code == 202 and second.json()["state"] == "queued"
        full = c.post("/api/simulate", params=params)
        assert full.status_code == 429, full.text
        assert "Retry-After" in full.headers

        # Cancelling the queued job frees its place at once.
        r = c.post(f"/api/jobs/{second.json()['id']}/cancel")
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        third = c.post("/api/simulate", params=params)
        assert third.status_code == 202

        # Cancelling the running job stops it at its next progress report.
        c.post(f"/api/jobs/{first['id']}/cancel")
        _until(lambda: c.get(f"/api/jobs/{first['id']}").json()["state"] == "cancelled")
        assert "result" not in c.get(f"/api/jobs/{first['id']}").json()
        # The worker moved on to the next job; a finished job cannot be cancelled.
        assert gate.started.acquire(timeout=10)
        gate.release.set()
        job = c.app.state.jobs.wait(third.json()["id"], timeout=10)
        assert job.state == "done" and job.result == {"replications": 2}
        assert c.post(f"/api/jobs/{job.id}/cancel").status_code == 409
        assert c.post("/api/jobs/no-such-job/cancel").status_code == 404


def _blocking(release: threading.Event) -> Callable[[Any], str]:
    def work(progress: Any) -> str:
        while not release.wait(0.01):
            progress(0.1)
        return "slow"

    return work


def test_running_and_queued_jobs_are_never_evicted() -> None:
    jobs = Jobs(workers=1, queue_limit=2, keep=2)
    release = threading.Event()
    slow = jobs.start("slow", _blocking(release))
    _until(lambda: slow.state == "running")
    waiting = jobs.start("slow", _blocking(release))
    # Many quick jobs finish (cancelled while queued) around them.
    finished = []
    for _ in range(10):
        job = jobs.start("quick", lambda progress: "x")
        jobs.cancel(job.id)
        finished.append(job)
    assert jobs.get(slow.id) is slow and jobs.get(waiting.id) is waiting
    assert [j.id for j in finished if jobs.get(j.id)] == [finished[-2].id, finished[-1].id]
    release.set()
    assert jobs.wait(waiting.id, timeout=10) is waiting and waiting.result == "slow"
    assert slow.result == "slow"
    jobs.close()


def test_evicted_jobs_free_their_results_oldest_first() -> None:
    jobs = Jobs(workers=1, queue_limit=5, keep=2)
    done = []
    for i in range(4):
        job = jobs.start("sum", lambda progress, i=i: [i] * 1000)
        jobs.wait(job.id, timeout=10)
        done.append(job)
    assert [jobs.get(j.id) is not None for j in done] == [False, False, True, True]
    assert done[0].result is None and done[1].result is None  # freed with the job
    assert done[3].result == [3] * 1000
    jobs.close()


def test_a_failing_job_reports_its_error_and_the_worker_goes_on() -> None:
    jobs = Jobs(workers=1, queue_limit=2)

    def boom(progress: Any) -> None:
        raise ValueError("bad input")

    bad = jobs.wait(jobs.start("bad", boom).id, timeout=10)
    assert bad is not None and bad.state == "failed" and "bad input" in bad.error
    good = jobs.wait(jobs.start("ok", lambda progress: 7).id, timeout=10)
    assert good is not None and good.state == "done" and good.result == 7
    jobs.close()


def test_the_pool_never_runs_more_jobs_than_workers() -> None:
    jobs = Jobs(workers=2, queue_limit=10)
    release = threading.Event()
    lock = threading.Lock()
    now = [0]
    peak = [0]

    def work(progress: Any) -> None:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        release.wait(0.05)
        with lock:
            now[0] -= 1

    started = [jobs.start("w", work) for _ in range(8)]
    for job in started:
        assert jobs.wait(job.id, timeout=10) is not None
    assert 1 <= peak[0] <= 2
    assert len(jobs._threads) == 2
    jobs.close()


# --- the live server and the command -------------------------------------------------


def test_the_live_server_refuses_cross_site_and_foreign_hosts(live_server: str) -> None:
    r = httpx.post(
        f"{live_server}/api/jobs/1/cancel", headers={"Origin": "http://evil.example"}, timeout=30
    )
    assert r.status_code == 403
    r = httpx.get(f"{live_server}/api/health", headers={"Host": "rebind.evil.example"}, timeout=30)
    assert r.status_code == 400
    r = httpx.get(f"{live_server}/", timeout=30)
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1"])
def test_serve_off_loopback_without_a_token_exits_2_naming_the_variable(host: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_VARIABLE}
    r = subprocess.run(
        [sys.executable, "-m", "corridor", "serve", "--host", host, "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and TOKEN_VARIABLE in lines[0], r.stderr
    assert r.stdout == ""  # refused before anything was started


def test_the_dashboard_runs_a_simulation_with_the_token_only_when_opened_with_it(
    dataset: str | None, guarded_page: tuple[Any, Guard]
) -> None:
    from corridor.web.app import create_app
    from corridor.web.service import simulation_available

    if not simulation_available():
        pytest.skip("this build has no simulation module")
    page, guard = guarded_page
    app = create_app(dataset, security=Security(token=TOKEN))
    with serve(app) as base:
        guard.allowed = base
        query = urlencode({"origin": "xian", "destination": "duisburg", "token": TOKEN})
        page.goto(f"{base}/?{query}")
        page.wait_for_function("() => document.body.dataset.ready", timeout=WAIT_MS)
        assert "token" not in page.url  # the address bar no longer shows it
        page.fill("#replications", "3")
        page.click("#simulate")
        page.wait_for_function(
            "() => document.getElementById('sim-result').dataset.job", timeout=WAIT_MS
        )
        assert page.text_content("#status") == "Simulation done."
        assert guard.errors == [] and guard.blocked == []

        # Opened without the token, the page says how to pass it and the POST is refused.
        page.goto(f"{base}/?{urlencode({'origin': 'xian', 'destination': 'duisburg'})}")
        page.wait_for_function("() => document.body.dataset.ready", timeout=WAIT_MS)
        assert "?token=" in page.text_content("#query")
        page.click("#simulate")
        page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('refused')",
            timeout=WAIT_MS,
        )
        assert TOKEN_VARIABLE in page.text_content("#status")
        assert app.state.jobs.counts() == {"done": 1}
