"""A bounded load test through the web app's API: 32 concurrent clients (an address each), every answer as for
one client."""

import pytest

from qa.testing.load import run
from qa.testing.webapp import PROXY_ENV, make_home, start_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_thirty_two_concurrent_clients(tmp_path):
    app = start_app(make_home(tmp_path), env=PROXY_ENV)  # each client an address of its own
    try:
        result = run(app.url, clients=32, requests=96)
    finally:
        app.stop()
    assert result["errors"] == 0, result["error_samples"]
    assert result["mismatches"] == 0
    assert result["requests"] == 96
