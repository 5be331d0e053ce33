"""The scenarios notebook in a real JupyterLab, driven in Debian's chromium by Playwright.

Installs chromium with apt-get when it is absent (the machine's own browser; nothing downloads one),
starts JupyterLab on 127.0.0.1 with a token on a copy of the notebook (so autosave never touches the
committed file), checks that opening it does not mark it modified, runs every cell, checks for errors and
for the explorer's chart, changes two dropdowns 50 ms apart and checks that the chart ends drawn for the
last state (its tooltip and caption name the states set), saves a screenshot under reports/screenshots/,
and stops the server.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SCREENSHOT = ROOT / "reports" / "screenshots" / "jupyterlab_02_scenarios.png"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.fail(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get)")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=900)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, timeout=1800,
                       stdout=subprocess.DEVNULL)
    assert os.path.exists(CHROMIUM)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    shutil.copy(ROOT / "notebooks" / "02_scenarios.ipynb", tmp_path / "02_scenarios.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    # the project's JupyterLab defaults, installed where `make lab` installs them (no news or update pop-up over
    # the notebook; the screenshot goes in briefings); user settings in an empty temp dir
    overrides = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "notebooks" / "lab_overrides.json", overrides)
    (tmp_path / "settings").mkdir()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}", "--allow-root",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
           "--ServerApp.open_browser=False"]
    log = open(tmp_path / "jupyter.log", "w")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("JupyterLab exited: " + (tmp_path / "jupyter.log").read_text()[-2000:])
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield url, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


CHART = "img.bayes-explorer-chart"


def test_scenarios_notebook_in_jupyterlab(chromium, jupyterlab):
    from playwright.sync_api import sync_playwright

    url, token = jupyterlab
    import json

    with urllib.request.urlopen(f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}",
                                timeout=10) as response:
        defaults = json.loads(response.read())["schema"]["properties"]  # overrides change the schema's defaults
    assert defaults["fetchNews"]["default"] == "false" and defaults["checkForUpdates"]["default"] is False
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{url}/lab/tree/02_scenarios.ipynb?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
            page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                                   " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.info",
                                   timeout=90_000)
            page.wait_for_timeout(1500)  # the kernel's info has reached the notebook's metadata, if it would
            # opening the notebook does not mark it modified (its kernel metadata is what JupyterLab would fill in)
            assert page.evaluate("window.jupyterapp.shell.currentWidget.context.model.dirty") is False
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            # every code cell has run: no prompt shows [*] or [ ] and the explorer's chart is drawn
            page.wait_for_function("""() => {
                const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
                const chart = document.querySelector('%s');
                return prompts.length > 0 && prompts.every(t => /\\[\\d+\\]/.test(t))
                    && chart && chart.naturalWidth > 0;
            }""" % CHART, timeout=180_000)
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            assert not any("Traceback" in t or "Error" in t.split("\n")[0] for t in outputs), outputs
            assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count() == 0
            chart = page.locator(CHART).first
            before = chart.get_attribute("src")
            assert before and before.startswith(("blob:", "data:image/png"))
            assert "Nothing set yet" in page.locator(".bayes-explorer-caption").first.inner_text()
            assert page.locator(".jp-OutputArea-output img").count() >= 4  # the static charts too
            selects = page.locator(".widget-dropdown select")
            assert selects.count() >= 3
            # two dropdowns changed 50 ms apart: the chart must end drawn, and drawn for the last state
            first = selects.nth(1).locator("option").all_inner_texts()[-1]
            second = selects.nth(2).locator("option").all_inner_texts()[-1]
            selects.nth(1).select_option(first)
            page.wait_for_timeout(50)
            selects.nth(2).select_option(second)
            # options show the analyst's labels (ipywidgets writes their spaces as no-break spaces)
            wanted = [f"= {t.replace(chr(0xa0), ' ')} (observed)" for t in (first, second)]
            # the caption is set after the picture it describes: once it names both states, the chart is theirs
            page.wait_for_function("""([selector, wanted]) => {
                const img = document.querySelector(selector);
                const caption = document.querySelector('.bayes-explorer-caption');
                const text = caption ? caption.textContent.replace(/\\s+/g, ' ') : '';
                return img && img.naturalWidth > 0 && wanted.every(w => text.includes(w));
            }""", arg=[CHART, wanted], timeout=60_000)
            src = page.locator(CHART).first.get_attribute("src")
            page.wait_for_timeout(3000)  # nothing still in flight replaces or blanks it afterwards
            img = page.locator(CHART).first
            assert img.evaluate("i => i.naturalWidth") > 0 and img.get_attribute("src") == src != before
            caption = " ".join(page.locator(".bayes-explorer-caption").first.inner_text().split())
            assert all(w in caption for w in wanted), caption
            assert page.locator(CHART).count() == 1
            assert page.locator(".jp-toast-container .Toastify__toast").count() == 0  # no prompt over the chart
            chart.scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
