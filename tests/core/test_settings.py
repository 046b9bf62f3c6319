import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cepa_collab.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_rejects_a_malformed_value_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        env_bool("DEBUG")


def test_env_helpers_parse_values(monkeypatch):
    monkeypatch.setenv("EMAIL_USE_TLS", "Yes")
    monkeypatch.setenv("EMAIL_PORT", "587")
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.org, b.example.org,")

    assert env_bool("EMAIL_USE_TLS") is True
    assert env_int("EMAIL_PORT", 25) == 587
    assert env_list("ALLOWED_HOSTS") == ["a.example.org", "b.example.org"]


def test_env_int_rejects_a_malformed_value(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")

    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _manage("check", DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_malformed_broker_url_is_a_loud_error():
    result = _manage("check", DEBUG="1", CELERY_BROKER_URL="amqp://guest@localhost//")

    assert result.returncode != 0
    assert "CELERY_BROKER_URL" in result.stderr


def test_deploy_check_passes_with_production_variables():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x7$Qm2!vLp9#Rt4@Wz8^Nb3&Kd6*Hf1(Jg5)Sa0-Ce+Yu%Io_rT5wQ8zP",
        ALLOWED_HOSTS="cepa-collab.example.org",
        SITE_URL="https://cepa-collab.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
