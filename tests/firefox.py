"""Drive the built site in Debian's Firefox ESR like a trainer would, through Firefox's built-in Marionette.

No downloaded driver (no geckodriver): `firefox-esr --marionette` listens on a port that Firefox picks
itself (`marionette.port` 0, written to `MarionetteActivePort` in the profile) and `marionette_driver`
talks to it. Every connection Firefox opens goes through a proxy that is a local socket of ours
(`NetworkTrap`): it answers nothing and records the request line, so a request that would leave
`file:` is seen even when it comes from a worker, a frame or a prefetch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.browser import RESULT_DONE, _site_path

FIREFOX = "/usr/bin/firefox-esr"
FIREFOX_OWN_SOURCES = ("resource://", "chrome://", "moz-extension://")
# Firefox's experiment loader (Nimbus) complains once that Remote Settings, switched off below, is unreachable.
FIREFOX_OWN_CONSOLE = ("console.error: RSLoader:",)

# Quiet Firefox: no first-run or welcome page, no update, telemetry, studies, safe-browsing lists,
# captive-portal or connectivity checks, DNS over HTTPS or push. Prefetch and preconnect keep Firefox's
# defaults: whatever a page would make Firefox fetch must reach the trap.
QUIET_PREFS: dict[str, object] = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.page": 0,
    "browser.startup.homepage_override.mstone": "ignore",
    "startup.homepage_welcome_url": "about:blank",
    "startup.homepage_welcome_url.additional": "",
    "browser.aboutwelcome.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.sessionstore.resume_from_crash": False,
    "browser.backup.enabled": False,
    "browser.backup.scheduled.enabled": False,
    "app.update.disabledForTesting": True,
    "app.update.auto": False,
    "app.normandy.enabled": False,
    "app.normandy.api_url": "",
    "app.shield.optoutstudies.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    # honoured by a release build only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the environment (see launch)
    "services.settings.server": "data:,#remote-settings-dummy/v1",
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.unified": False,
    "toolkit.telemetry.archive.enabled": False,
    "toolkit.telemetry.server": "",
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.systemAddon.update.enabled": False,
    "browser.search.update": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "browser.topsites.contile.enabled": False,
    "browser.translations.enable": False,
    "browser.ml.enable": False,
    "browser.urlbar.merino.endpointURL": "",
    "geo.provider.network.url": "",
    "identity.fxaccounts.enabled": False,
    "media.gmp-manager.updateEnabled": False,
    "security.remote_settings.intermediates.enabled": False,
    "security.remote_settings.crlite_filters.enabled": False,
    "security.OCSP.enabled": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.trr.mode": 5,
    "network.sntp.pools": "",
    "dom.push.connection.enabled": False,
}


class NetworkTrap:
    """A local TCP listener set as Firefox's only proxy: records each request line, answers nothing."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._seen: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    line = conn.recv(512).split(b"\r\n", 1)[0].decode("latin-1")
                except OSError as error:
                    line = f"(nothing readable: {error})"
                with self._lock:
                    self._seen.append(line)

    @property
    def seen(self) -> list[str]:
        with self._lock:
            return list(self._seen)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def prefs(self) -> dict[str, object]:
        prefs: dict[str, object] = {"network.proxy.type": 1, "network.proxy.no_proxies_on": "",
                                    "network.proxy.allow_hijacking_localhost": True,
                                    "network.proxy.share_proxy_settings": False,
                                    "network.proxy.socks_remote_dns": True}
        for scheme in ("http", "ssl", "socks"):
            prefs[f"network.proxy.{scheme}"] = "127.0.0.1"
            prefs[f"network.proxy.{scheme}_port"] = self.port
        return prefs

    def close(self) -> None:
        self._server.close()


@dataclass
class Firefox:
    client: object  # marionette_driver.marionette.Marionette
    trap: NetworkTrap
    log: Path

    def open(self, path: Path) -> None:
        self.client.navigate(path.as_uri())  # returns once the page has loaded

    def js(self, script: str, *args: object) -> object:
        """Run `script` in Marionette's sandbox: it sees the page's DOM, not what the page's scripts
        changed in it (patched XMLHttpRequest, the iframe Worker shim)."""
        return self.client.execute_script(script, script_args=list(args))

    def page_js(self, script: str, *args: object) -> object:
        """Run `script` as one of the page's own scripts."""
        return self.client.execute_script(script, script_args=list(args), sandbox=None)

    def resources(self) -> list[str]:
        """URLs that the Performance API saw the page (and its same-origin frames) fetch."""
        return self.js("""
            const names = w => w.performance.getEntriesByType('resource').map(e => e.name);
            const frames = Array.from(document.querySelectorAll('iframe')).map(f => {
              try { return names(f.contentWindow); } catch (e) { return []; }
            });
            return names(window).concat(...frames);""")

    def search(self, query: str, *, typed: bool = True) -> list[str]:
        """Search like a trainer: keys typed one by one, or (typed=False) the text arriving at once with
        only an `input` event, as from an on-screen keyboard or a paste. Returns site-relative paths."""
        from marionette_driver import Wait
        from marionette_driver.by import By

        box = self.client.find_element(By.CSS_SELECTOR, "input.md-search__input")
        box.click()
        box.clear()
        self.js("document.querySelector('.md-search-result__meta').textContent = ''")
        if typed:
            box.send_keys(query)
        else:
            self.js("""const box = arguments[0]; box.value = arguments[1];
                       box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste',
                                                                  data: arguments[1]}));""", box, query)
        snapshot = """return [document.querySelector('.md-search-result__meta').textContent,
                              Array.from(document.querySelectorAll(
                                '.md-search-result__item > a.md-search-result__link'), a => a.href)]"""
        last: list = []

        def settled(_: object) -> tuple[list[str]] | None:
            # Each key sends a query to the search worker: wait for a result that stays the same,
            # so that the answer to an earlier prefix of the query is not taken for the final one.
            now = self.js(snapshot)
            done = re.search(RESULT_DONE, now[0]) and now == (last[-1] if last else None)
            last.append(now)
            return (now[1],) if done else None  # a tuple: an empty list of results is an answer too

        (hrefs,) = Wait(self.client, timeout=15, interval=0.15).until(
            settled, message=f"no settled search result for {query!r}")
        return sorted({_site_path(h) for h in hrefs})

    def console_lines(self) -> list[str]:
        """What Firefox wrote on stdout/stderr (with `devtools.console.stdout.content`: the pages' console)."""
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def page_errors(self, since: int = 0) -> list[str]:
        """Errors and warnings of the pages from line `since` of the log: uncaught JavaScript errors and
        console.error / console.warn calls. Firefox's own modules (resource://, chrome://) are left out.
        A file that fails to load under file:// is not logged by Firefox."""
        errors = []
        for line in self.console_lines()[since:]:
            if line.startswith(("JavaScript error: ", "JavaScript warning: ")):
                source = line.split(": ", 1)[1]
                if not source.startswith(FIREFOX_OWN_SOURCES):
                    errors.append(line)
            elif line.startswith(("console.error: ", "console.warn: ")) and not line.startswith(FIREFOX_OWN_CONSOLE):
                errors.append(line)
        return errors


def _user_js(prefs: dict[str, object]) -> str:
    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())


@contextmanager
def launch(startup_timeout: float = 30) -> Iterator[Firefox]:
    """A headless Firefox ESR on a throw-away profile; always killed and its profile deleted afterwards."""
    from marionette_driver.marionette import Marionette

    root = Path(tempfile.mkdtemp(prefix="kalan-firefox-"))
    profile = root / "profile"
    profile.mkdir()
    log = root / "firefox.log"
    trap = NetworkTrap()
    prefs = {**QUIET_PREFS, **trap.prefs(), "marionette.port": 0,
             # content console messages and page errors to stdout, so a test can read them
             "devtools.console.stdout.content": True}
    (profile / "user.js").write_text(_user_js(prefs), encoding="utf-8")
    # A release build ignores services.settings.server (Remote Settings would keep calling
    # firefox.settings.services.mozilla.com) unless this variable allows the override.
    env = {**os.environ, "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1", "MOZ_CRASHREPORTER_DISABLE": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [FIREFOX, "--headless", "--marionette", "--no-remote", "--profile", str(profile)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)  # its own process group: the content processes go with it
    client = None
    try:
        port_file = profile / "MarionetteActivePort"
        deadline = time.monotonic() + startup_timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Firefox did not start Marionette (exit {process.poll()}):\n"
                                   + log.read_text(errors="replace")[-2000:])
            time.sleep(0.05)
        client = Marionette(host="127.0.0.1", port=int(port_file.read_text()), startup_timeout=startup_timeout)
        client.start_session()
        client.set_window_rect(width=1280, height=900)
        yield Firefox(client, trap, log)
    finally:
        if client is not None and client.session is not None:
            with suppress(Exception):  # Firefox may already be gone; it is killed below anyway
                client.delete_session()
        _stop(process)
        trap.close()
        shutil.rmtree(root, ignore_errors=True)


def _stop(process: subprocess.Popen) -> None:
    """End the Firefox we started: its process group, by id, SIGTERM then SIGKILL."""
    with suppress(ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    with suppress(ProcessLookupError):  # what is left of the group: a content process, or a stuck Firefox
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(5)
