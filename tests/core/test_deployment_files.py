"""docker-compose.yml is written for machines with Docker: parse it and check it
against the Procfile, the settings' variables and the README."""

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def _argv(command) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command)


def test_compose_runs_the_procfile_processes_on_real_services():
    services = _compose()["services"]

    assert set(services) == {"db", "redis", "mailpit", "web", "worker", "beat"}
    assert set(_procfile()) == {"web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("db", "redis", "web", "worker", "beat", "mailpit"):
        assert "healthcheck" in services[name], name


def test_compose_process_commands_match_the_procfile():
    services = _compose()["services"]
    procfile = _procfile()

    web = services["web"]["command"]
    assert "migrate --no-input" in web
    assert "gunicorn cepa_collab.wsgi" in web and "gunicorn cepa_collab.wsgi" in procfile["web"]
    for name in ("worker", "beat"):
        compose_argv = _argv(services[name]["command"])
        proc_argv = shlex.split(procfile[name])
        assert compose_argv[:4] == proc_argv[:4] == ["celery", "-A", "cepa_collab", name]
    assert "--without-mingle" in _argv(services["worker"]["command"])
    assert "--without-mingle" in procfile["worker"]


def _default(value: str) -> str:
    """The default of a `${NAME:-default}` value, or the value itself."""
    found = re.fullmatch(r"\$\{[A-Z_]+:-(.*)\}", value)
    return found.group(1) if found else value


def _runs_beat(argv: list[str]) -> bool:
    return "beat" in argv[:4] or "-B" in argv or "--beat" in argv


def test_compose_and_procfile_run_exactly_one_beat():
    services = _compose()["services"]
    beats = [name for name, svc in services.items() if _runs_beat(_argv(svc.get("command", [])))]
    procfile_beats = [name for name, line in _procfile().items() if _runs_beat(shlex.split(line))]

    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert procfile_beats == ["beat"]
    compose_text = (ROOT / "docker-compose.yml").read_text()
    assert "Exactly ONE beat: never scale the `beat` service" in compose_text


def test_compose_mails_through_the_smtp_catcher_unless_told_otherwise():
    services = _compose()["services"]

    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert services["mailpit"]["ports"] == ["8025:8025"]  # the web UI; SMTP stays inside
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert (_default(env["EMAIL_HOST"]), _default(env["EMAIL_PORT"])) == ("mailpit", "1025")
        assert env["EMAIL_HOST"] == "${EMAIL_HOST:-mailpit}"  # a real server can be named
        assert _default(env["EMAIL_USE_TLS"]) == "0"


def test_compose_visibility_timeout_exceeds_task_limit_and_backoff():
    from django.conf import settings

    env = _compose()["services"]["worker"]["environment"]
    limit = settings.CELERY_TASK_TIME_LIMIT + settings.MAIL_RETRY_BACKOFF_MAX

    assert int(_default(env["CELERY_VISIBILITY_TIMEOUT"])) > limit


def test_compose_configures_the_app_only_through_known_variables():
    services = _compose()["services"]
    settings_source = (ROOT / "cepa_collab" / "settings.py").read_text()
    known = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))

    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert set(env) <= known, set(env) - known
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert env["DEBUG"] == "0"


def test_readme_lists_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    settings_source = (ROOT / "cepa_collab" / "settings.py").read_text()
    variables = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))

    missing = sorted(name for name in variables if f"`{name}`" not in readme)
    assert missing == []
