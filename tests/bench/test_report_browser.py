"""report.html in a real headless Chromium: it renders, logs no console error, its images
load, and clicking a column header sorts the table.

Chromium comes from Debian's ``chromium`` package (``./dev test`` installs it when it can);
without it, or when it cannot start here, the test is skipped with the reason. The page is
loaded from a copy with a probe script put first in its <head>: the probe records errors
(uncaught exceptions and console.error) and, after the load event, the images' decoded
sizes and the column order after clicks, into a <pre id="probe"> that ``--dump-dom``
prints. Chromium's own console log on stderr is checked for errors as well.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from bench_configs import tiny

from glassbox.bench import run_benchmark

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__errors.push(Array.prototype.join.call(arguments, " "));
    original.apply(console, arguments);
  };
})();
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return {complete: img.complete, width: img.naturalWidth, height: img.naturalHeight};
  });
  var table = document.querySelector("table.results");
  var headers = Array.prototype.map.call(table.querySelectorAll("th"), function (h) {
    return h.textContent;
  });
  function column(index) {
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      return row.cells[index].getAttribute("data-value");
    });
  }
  var fit = headers.indexOf("fit ms"), method = headers.indexOf("method");
  var clicks = {};
  table.querySelectorAll("th")[fit].click();
  clicks.fit_ascending = column(fit);
  table.querySelectorAll("th")[fit].click();
  clicks.fit_descending = column(fit);
  table.querySelectorAll("th")[method].click();
  clicks.method_ascending = column(method);
  var probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({images: images, headers: headers, clicks: clicks,
                                       errors: window.__errors});
  document.body.appendChild(probe);
});
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium is not installed (Debian package 'chromium'; ./dev test installs it)")


def _render(page: Path) -> tuple[str, str]:
    binary = _chromium()
    profile = tempfile.mkdtemp(prefix="glassbox-chromium-")
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"Chromium could not run here: {error}")
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if "<html" not in done.stdout:
        pytest.skip(f"Chromium did not render (exit {done.returncode}): {done.stderr[-500:]}")
    return done.stdout, done.stderr


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    pytest.importorskip("matplotlib")
    folder = tmp_path_factory.mktemp("report")
    run_benchmark(tiny(folder, figures=True, methods=["qr", "svd", "bgd", "minibatch"]))
    return folder / "report.html"


def test_report_renders_in_chromium_without_errors_and_sorts(report, tmp_path):
    page = report.read_text()
    probed = tmp_path / "report.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1))
    dom, log = _render(probed)

    match = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert match, "the probe did not run: the page's load event never came"
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["errors"] == []
    console_errors = [
        line
        for line in log.splitlines()
        if "CONSOLE" in line and re.search(r"error|Uncaught", line, re.I)
    ]
    assert console_errors == []

    images = probe["images"]
    assert len(images) == 3  # convergence, accuracy vs time, the lesson's fitted lines
    assert all(img["complete"] and img["width"] > 100 and img["height"] > 100 for img in images)

    clicks = probe["clicks"]
    ascending = [float(v) for v in clicks["fit_ascending"]]
    assert ascending == sorted(ascending) and len(ascending) == 4
    assert [float(v) for v in clicks["fit_descending"]] == sorted(ascending, reverse=True)
    assert clicks["method_ascending"] == ["bgd", "minibatch", "qr", "svd"]


def test_report_is_self_contained(report):
    page = report.read_text()
    # nothing fetched: no external scripts, styles or images
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert os.path.getsize(report) > 10_000
