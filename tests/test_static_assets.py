"""The committed front-end assets: present, matching the Python side, and self-contained."""

import json
import re
from pathlib import Path

from plotly.offline import get_plotlyjs_version

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"


class StaticAssetsTests:
    def test_every_file_the_base_template_loads_is_committed(self):
        base = (ROOT / "templates" / "base.html").read_text()
        paths = re.findall(r"{% static '([^']+)' %}", base)
        assert "css/hackperf.css" in paths
        for path in paths:
            assert (STATIC / path).is_file(), path
        for vendor in ("plotly-basic.min.js", "htmx.min.js", "axe.min.js"):
            assert (STATIC / "vendor" / vendor).is_file(), vendor

    def test_plotly_js_matches_the_installed_plotly_py(self):
        lock = json.loads((ROOT / "package-lock.json").read_text())
        npm_version = lock["packages"]["node_modules/plotly.js-basic-dist-min"]["version"]
        assert npm_version == get_plotlyjs_version()
        head = (STATIC / "vendor" / "plotly-basic.min.js").read_text()[:300]
        assert f"v{get_plotlyjs_version()}" in head

    def test_htmx_is_version_2(self):
        lock = json.loads((ROOT / "package-lock.json").read_text())
        assert lock["packages"]["node_modules/htmx.org"]["version"].startswith("2.")

    def test_the_stylesheet_loads_nothing_from_another_host(self):
        css = (STATIC / "css" / "hackperf.css").read_text()
        assert "@import" not in css
        assert "googleapis" not in css and "gstatic" not in css
        for url in re.findall(r"url\(([^)]*)\)", css):
            url = url.strip("'\"")
            assert url.startswith(("/static/", "data:", "#")), url

    def test_every_font_and_image_the_stylesheet_names_exists(self):
        css = (STATIC / "css" / "hackperf.css").read_text()
        for url in re.findall(r"url\(['\"]?(/static/[^'\")?#]+)", css):
            assert (ROOT / url.lstrip("/")).is_file(), url
