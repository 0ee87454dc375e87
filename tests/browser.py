"""Real headless Chromium for view tests (pytest plugin).

One browser per session (Debian's ``chromium``, driven by Playwright).  Each page
opened with :func:`open_page` records every request, aborts anything that is not
``file:``, ``data:`` or ``blob:``, records console errors and page errors, and
notices script injection: ``alert``/``confirm``/``prompt``/``print`` calls and
any ``window.__kgPwned`` beacon set by a payload.

Chromium missing is a failure with the fix (``make chromium``), never a skip.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run",
               "--disable-sync", "--disable-default-apps", "--mute-audio"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

#: Runs before any page script: record dialog calls and beacons instead of blocking on them.
XSS_TRAP = """
window.__kgXss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (...args) { window.__kgXss.push(name + ":" + args.join(",")); };
}
Object.defineProperty(window, "__kgPwned", {set(v) { window.__kgXss.push("beacon:" + v); }, get() { return undefined; }});
"""


@dataclass
class PageReport:
    """What happened while a page was open."""

    page: object
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def outside_requests(self) -> list[str]:
        """Requests to anything but local files and inline data."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    def xss(self) -> list[str]:
        """Dialog calls and beacons recorded so far, plus payload elements that made it into the DOM."""
        calls = self.page.evaluate("window.__kgXss")
        injected = self.page.evaluate(
            "Array.from(document.querySelectorAll('img, svg, iframe, object, embed, script[src]'))"
            ".map(e => e.outerHTML.slice(0, 80))")
        return list(calls) + list(injected)


def _launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make chromium` (Debian's chromium package) "
                    "before the browser tests", pytrace=False)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = _launch(p)
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    """``open_page(path, ready=True) -> PageReport``: load a local HTML file in a fresh, offline context.

    With ``ready`` it waits until the view says it has drawn and settled (``data-kg-ready``).
    """
    contexts = []

    def _open(path, *, ready: bool = True, viewport=(1280, 800), timeout_ms: int = 90_000) -> PageReport:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(LOCAL_SCHEMES)
                      else route.abort())
        context.add_init_script(XSS_TRAP)
        page = context.new_page()
        report = PageReport(page)
        page.on("request", lambda r: report.requests.append(r.url))
        page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: report.page_errors.append(str(e)))
        page.goto(Path(path).resolve().as_uri())
        if ready:  # the layout settles in seconds; a shared, busy machine can take far longer
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            try:
                page.wait_for_selector("body[data-kg-ready]", state="attached", timeout=timeout_ms)
            except PlaywrightTimeout:
                raise AssertionError(f"{path} never became ready; page errors: {report.page_errors}, "
                                     f"console errors: {report.console_errors}") from None
        return report

    yield _open
    for c in contexts:
        c.close()



def png_colours(browser, png: bytes) -> int:
    """Number of distinct pixel colours in a PNG, decoded by Chromium on a blank page."""
    import base64

    page = browser.new_page()
    try:
        return page.evaluate("""async (b64) => {
            const img = new Image();
            img.src = "data:image/png;base64," + b64;
            await img.decode();
            const c = document.createElement("canvas");
            c.width = img.width; c.height = img.height;
            const ctx = c.getContext("2d");
            ctx.drawImage(img, 0, 0);
            const px = ctx.getImageData(0, 0, c.width, c.height).data, seen = new Set();
            for (let i = 0; i < px.length; i += 4) { seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]); }
            return seen.size;
        }""", base64.b64encode(png).decode())
    finally:
        page.close()
