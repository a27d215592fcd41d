"""Browser tests: Playwright driving Debian's /usr/bin/chromium against live_server."""

import os

import pytest
from playwright.sync_api import expect

from dangjian.testsupport.world import chromium_path, require_or_skip

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Web-first assertions wait as long as the pages do (5 s by default): CI runs on a loaded machine.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    require_or_skip(path is not None, "未安装 Chromium（apt-get install -y chromium fonts-noto-cjk），跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


@pytest.fixture
def login(page, live_server):
    """login(username, password) in the browser; lands on the home page."""

    def do(username, password="Test-pass-2023"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page

    return do


@pytest.fixture
def task_worker():
    """task_worker() runs django-tasks-db's own Worker in a thread for one task (the page's
    polling sees the job move); returns the thread, to be joined."""
    import threading

    def once():
        from django.db import connections
        from django_tasks_db.management.commands.db_worker import Worker

        try:
            Worker(queue_names=["default"], interval=0.2, batch=False, backend_name="default", startup_delay=False,
                   max_tasks=1, worker_id="e2e-worker", excluded_queue_names=[]).run()  # fmt: skip
        finally:
            connections.close_all()

    def start():
        t = threading.Thread(target=once)
        t.start()
        return t

    return start


@pytest.fixture
def job_download(task_worker):
    """job_download(page) runs the queued job in the worker, waits for the progress page to
    reach 100 and clicks its download; returns the Playwright Download."""

    def do(page):
        worker = task_worker()
        page.wait_for_selector("#job-download", timeout=60000)  # swapped in by the polling
        worker.join(60)
        expect(page.locator("#job-progress progress")).to_have_attribute("value", "100")
        with page.expect_download() as dl:
            page.click("#job-download")
        return dl.value

    return do
