"""`make demo`'s settings (config.settings.demo): DEBUG off, the site's own error pages,
static files served by whitenoise without a collectstatic step.

The server is the demo's own command, runserver under config.settings.demo, in a process
of its own on a free port.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.support.services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("REDIS_URL", None)
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings.demo",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    log = tmp_path_factory.mktemp("demo-log") / "runserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        if not wait_for_port(port, timeout=60):
            pytest.fail(f"the demo server did not start:\n{log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_missing_page_is_the_sites_own_404_not_djangos_technical_page(demo_server):
    response = httpx.get(demo_server + "/no-such-page/at-all/", timeout=20)

    assert response.status_code == 404
    assert "We have no page at this address" in response.text
    assert "Evidentia" in response.text
    # Django's technical 404 (DEBUG on) lists the URL patterns it tried.
    assert "Using the URLconf" not in response.text
    assert "DEBUG = True" not in response.text


def test_static_files_are_served_with_debug_off(demo_server):
    site = httpx.get(demo_server + "/static/css/site.css", timeout=20)
    admin = httpx.get(demo_server + "/static/admin/css/base.css", timeout=20)

    assert site.status_code == 200
    assert site.headers["content-type"].startswith("text/css")
    assert site.content == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert admin.status_code == 200


def test_the_demo_answers_on_localhost_and_refuses_other_hosts(demo_server):
    port = demo_server.rsplit(":", 1)[1]
    localhost = httpx.get(f"http://localhost:{port}/static/css/site.css", timeout=20)
    foreign = httpx.get(
        demo_server + "/no-such-page/", headers={"Host": "evil.example"}, timeout=20
    )

    assert localhost.status_code == 200
    assert foreign.status_code == 400


def test_the_500_page_needs_no_context_and_no_database():
    # No django_db mark: a query while rendering would raise here.
    html = get_template("500.html").render()
    response = server_error(RequestFactory().get("/"))

    assert "Something went wrong" in html
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


@pytest.mark.parametrize(("args", "port"), [([], "8000"), (["PORT=8001"], "8001")])
def test_make_demo_serves_the_demo_settings_on_the_chosen_port(args, port):
    # -n: the commands make would run; -o: the virtualenv counts as installed.
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed-stamp", "demo", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all("DJANGO_SETTINGS_MODULE=config.settings.demo" in line for line in lines), lines
    assert lines[-1].endswith(f"manage.py runserver 127.0.0.1:{port}")
