"""Trying the demo logins one after another works in development (PORTAL_ENV=development
relaxes the per-address sign-in limit), while production keeps 10 a minute per address and
the per-account limit everywhere."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.config import load_config
from tests.support.fixtures.clients import AuthActions

LOGINS = [f"candidate{n}@demo.example" for n in ("", *range(2, 13))] + ["admin@demo.example"]


def _limits(env: dict, tmp_path) -> dict:
    cfg = load_config(env={"PORTAL_INSTANCE_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40, **env})
    return {k: cfg[k] for k in ("RATELIMIT_LOGIN", "RATELIMIT_LOGIN_ACCOUNT", "RATELIMIT_ENABLED")}


def test_development_relaxes_only_the_per_address_limit(tmp_path):
    prod = _limits({}, tmp_path)
    assert prod == {
        "RATELIMIT_LOGIN": "10 per minute",
        "RATELIMIT_LOGIN_ACCOUNT": "5 per minute",
        "RATELIMIT_ENABLED": True,
    }
    assert _limits({"PORTAL_ENV": "production"}, tmp_path) == prod
    assert _limits({"PORTAL_ENV": "staging"}, tmp_path) == prod
    dev = _limits({"PORTAL_ENV": "development"}, tmp_path)
    assert dev == {**prod, "RATELIMIT_LOGIN": "100 per minute"}
    # An explicit setting wins in either environment.
    assert (
        _limits({"PORTAL_ENV": "development", "PORTAL_RATELIMIT_LOGIN": "7 per minute"}, tmp_path)["RATELIMIT_LOGIN"]
        == "7 per minute"
    )


def _try_every_demo_login(app, client_for, monkeypatch, env: str, tmp_path) -> list[int]:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for key, value in _limits({"PORTAL_ENV": env}, tmp_path).items():
        monkeypatch.setitem(app.config, key, value)
    codes = []
    for email in LOGINS:  # one browser, one address, one login after another
        c = client_for(SimpleNamespace(slug="demo"))
        codes.append(AuthActions(c).login(email, app.config["DEMO_PASSWORD"]).status_code)
    return codes


@pytest.mark.usefixtures("redis_url")
def test_every_demo_login_in_a_row_works_in_development(app, client_for, monkeypatch, tmp_path):
    assert _try_every_demo_login(app, client_for, monkeypatch, "development", tmp_path) == [302] * len(LOGINS)


@pytest.mark.usefixtures("redis_url")
def test_production_still_refuses_the_eleventh_sign_in_a_minute(app, client_for, monkeypatch, tmp_path):
    codes = _try_every_demo_login(app, client_for, monkeypatch, "production", tmp_path)
    assert codes[:10] == [302] * 10 and codes[10:] == [429] * (len(LOGINS) - 10)
