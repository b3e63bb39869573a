#!/usr/bin/env python3
"""Take the README's screenshots from a real server and browser: a profile with its call button, the incoming-call
dialog, the admin page, and (issue 11) the missed-calls badge, a page on a 390 px phone and the Calls page. Writes
docs/screenshots/*.png.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Uses the e2e harness (tests/e2e/harness.py): exo-server with a throw-away database and the product's own connectors
(extensions/: My Connector and WebRTC, without the harness's test connector), and Debian's chromium.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import chromium, running_server, signed_in_page, wait_provider_ready  # noqa: E402


VIEWPORT = {"width": 1100, "height": 640}
PHONE = {"width": 390, "height": 760}
RING_SECONDS = 3  # calls ring this long here, so the missed call comes quickly


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as data, running_server(
            Path(data), f"webconferencing.ring.timeout.seconds={RING_SECONDS}",
            "webconferencing.ring.check.seconds=0.5", extensions=ROOT / "extensions") as server, \
            chromium() as browser:
        mary = signed_in_page(browser, server.base_url, "mary", "/portal/people", viewport=VIEWPORT)
        john = signed_in_page(browser, server.base_url, "john", "/portal/profile/mary", viewport=VIEWPORT)
        for page in (mary, john):
            wait_provider_ready(page, "myconnector")
            wait_provider_ready(page, "webrtc")
        call_button = john.locator(".webconferencing-call[data-user-id=mary]")
        call_button.locator(".webrtc-call-button").wait_for(state="attached")
        call_button.locator(".myConnectorAction").wait_for(state="attached")
        written.append(out / "profile-call-button.png")
        john.screenshot(path=written[-1])

        # My Connector rings the callee through the user channel; place its call from the API the button uses
        john.evaluate("""() => webConferencing.addCall("p/john-mary", {owner: "john", ownerType: "user",
            provider: "myconnector", title: "Mary Williams", participants: "john;mary"})""")
        mary.locator(".myconnector-incoming").wait_for()
        written.append(out / "incoming-call.png")
        mary.screenshot(path=written[-1])
        mary.locator(".myconnector-incoming button.decline").click()

        admin = signed_in_page(browser, server.base_url, "root", "/portal/admin", viewport=VIEWPORT)
        admin.locator("tr[data-provider=webrtc] .provider-settings").wait_for()
        admin.locator("tr[data-provider=myconnector] .provider-settings").wait_for()
        written.append(out / "admin.png")
        admin.screenshot(path=written[-1])

        # issue 11: john calls again and mary does not answer: a missed call, counted in her top bar on every page
        john.evaluate("""() => webConferencing.addCall("p/john-mary", {owner: "john", ownerType: "user",
            provider: "myconnector", title: "Mary Williams", participants: "john;mary"})
            .then(() => webConferencing.updateUserCall("p/john-mary", "joined"))""")
        mary.locator(".myconnector-incoming").wait_for()
        mary.locator(".myconnector-incoming").wait_for(state="detached", timeout=(RING_SECONDS + 10) * 1000)
        mary.locator(".topbar .missed-badge").wait_for(state="visible")
        written.append(out / "missed-calls-badge.png")
        mary.screenshot(path=written[-1], clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": 220})
        phone = signed_in_page(browser, server.base_url, "mary", "/portal/people", viewport=PHONE)
        wait_provider_ready(phone, "myconnector")
        phone.locator(".webconferencing-call[data-user-id=john][data-built]").wait_for(state="attached")
        written.append(out / "mobile-people.png")
        phone.screenshot(path=written[-1])
        mary.goto("/portal/calls")
        written.append(out / "calls-page.png")
        mary.screenshot(path=written[-1])
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    for path in take(args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
