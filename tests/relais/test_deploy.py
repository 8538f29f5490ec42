"""Production settings: check --deploy is clean; no secret key, no start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# Strong enough for production settings (length >= 50, many distinct characters).
STRONG_KEY = "t3st-only-7Hq9vXk2LmN4pR8sW1zY5bC6dF0gJ3hK7nQ2rT9uV4wX8yZ1aB5cD6eF"


def _manage(*args, **env):
    inherited = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in inherited}
    full_env.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE, env=full_env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY="x" * 30 + "a-real-random-secret-key-for-tests-9f8e7d6c5b4a",
        ALLOWED_HOSTS="relais.example.org", CSRF_TRUSTED_ORIGINS="https://relais.example.org",
        VAR_DIR=str(tmp_path), ALLAUTH_TRUSTED_PROXY_COUNT="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_proxy_hides_client_addresses(tmp_path):
    """Behind the README's reverse proxy, login limits need the client address, not the proxy's."""
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="relais.example.org",
        CSRF_TRUSTED_ORIGINS="https://relais.example.org", VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "relais.W001" in result.stdout + result.stderr and "ALLAUTH_TRUSTED_PROXY_COUNT" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="relais.example.org", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_seed_demo_refuses_with_debug_off(tmp_path):
    result = _manage("seed_demo", DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="x", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_static_files_get_hashed_compressed_names_in_production(tmp_path):
    result = _manage(
        "collectstatic", "--noinput", DEBUG="0", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="x",
        VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"),
    )
    assert result.returncode == 0, result.stderr
    css = [p.name for p in (tmp_path / "static" / "relais").iterdir()]
    assert any(name.startswith("relais.") and name.endswith(".css") and len(name) > len("relais.css") + 5
               for name in css), css
    assert any(name.endswith(".css.gz") for name in css), css


def test_whitenoise_caches_hashed_files_for_a_year():
    result = subprocess.run(
        [sys.executable, "-c", "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
         "django.setup();from django.conf import settings;print(settings.WHITENOISE_MAX_AGE)"],
        cwd=BASE, env={**os.environ, "DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "31536000", result.stderr


@pytest.mark.parametrize("weak_key", [
    "a-random-looking-but-short-secret-key-8f7e6d5c4b3",  # 49 characters
    "abcd" * 20,  # long, but only four distinct characters
    "django-insecure-" + "7Hq9vXk2LmN4pR8sW1zY5bC6dF0gJ3hK7nQ2rT9uV4wX8yZ1aB",  # startproject's placeholder
])
def test_production_refuses_to_start_with_a_weak_secret_key(tmp_path, weak_key):
    result = _manage("check", DEBUG="0", SECRET_KEY=weak_key, ALLOWED_HOSTS="relais.example.org",
                     VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr, result.stderr


def test_a_weak_secret_key_is_accepted_on_a_laptop(tmp_path):
    result = _manage("check", DEBUG="1", SECRET_KEY="short", VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def _settings_value(expression: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
         f"django.setup();from django.conf import settings;print({expression})"],
        cwd=BASE, env={**{k: v for k, v in os.environ.items()
                          if k not in ("CONN_MAX_AGE", "GZIP_HTML", "PG_PREPARE_THRESHOLD")},
                       "DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "x", **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_keeps_database_connections_and_checks_them():
    """One connection per request cost more than a small page (issue 10)."""
    assert _settings_value("(settings.DATABASES['default']['CONN_MAX_AGE'], "
                           "settings.DATABASES['default']['CONN_HEALTH_CHECKS'])") == "(60, True)"
    assert _settings_value("settings.DATABASES['default']['CONN_MAX_AGE']", CONN_MAX_AGE="0") == "0"


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements_unless_told_not_to():
    """Planning a list's joins cost as much as running them (issue 10); a transaction pooler needs it off."""
    options = "settings.DATABASES['default']['OPTIONS']"
    postgres = "postgres://postgres@127.0.0.1:5432/relais"
    assert _settings_value(options, DATABASE_URL=postgres) == "{'server_side_binding': True, 'prepare_threshold': 2}"
    assert _settings_value(options, DATABASE_URL=postgres, PG_PREPARE_THRESHOLD="5") == (
        "{'server_side_binding': True, 'prepare_threshold': 5}")
    assert _settings_value(options, DATABASE_URL=postgres, PG_PREPARE_THRESHOLD="0") == "{}"
    assert "server_side_binding" not in _settings_value(options, DATABASE_URL="sqlite:////tmp/relais-x.sqlite3")


def test_the_app_compresses_pages_only_when_asked_and_first():
    assert "GZipMiddleware" not in _settings_value("settings.MIDDLEWARE")
    assert _settings_value("settings.MIDDLEWARE[0]", GZIP_HTML="true") == "django.middleware.gzip.GZipMiddleware"
