#!/usr/bin/env python3
"""The dashboard end to end in a real browser: headless Chromium driven by Selenium.

    dashboard.py --web http://127.0.0.1:PORT --sim http://127.0.0.1:SIMPORT --artifacts DIR

Against a running system (supervisor, web, exchange-sim), as a person would use it:

 1. a simulator account with known balances and frozen prices; the exchange's own total in USDT,
    computed here from the signed account endpoint and the ticker;
 2. sign-up, logout and login ("keep me signed in") in a browser whose profile lives on disk;
 3. the API key pasted into /settings, shown masked;
 4. the overview shows the exchange's total;
 5. bot settings (1 s candles, sma_cross 2/3) saved through the form, the bot started, prices
    moved so that it trades;
 6. the browser closed and opened again on the same profile: still signed in, and the fills the
    dashboard shows are the exchange's trades, by trade id;
 6b. the overview: total value and its change today, realised PnL today / week / all equal to
    /api/v1/reports, the bot's state as /api/v1/bot says, the last fills as /api/v1/fills;
 7. every page of the navigation at 1280x900 and 390x844, as PNG files in DIR;
 7b. the same in the dark scheme (prefers-color-scheme: dark through CDP): a dark page
    background, light text, and no horizontal scrolling;
 8. a second user without a key: no page shows a digit in <main> beyond an explicit allow-list.

Progress goes to stdout; the first failure ends the run with status 1, a message on stderr, and a
screenshot and the page source in DIR. Steps are separate functions of `Scenario` so that more
can be added. Needs: /usr/bin/chromium, /usr/bin/chromedriver, selenium (Tests/compat/requirements.txt).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import string
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

# Selenium must never look for or download a driver or a browser: both are given below.
os.environ["SE_OFFLINE"] = "true"

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDE = (1280, 900)
NARROW = (390, 844)

# The pages of the navigation (more are picked up from the header's links as they appear).
PAGES = ["/", "/trading", "/signals", "/backtest", "/reports", "/settings", "/status", "/monitoring", "/bots/new", "/settings/activity"]
# Pages that may not exist yet: a 404 there is reported, not a failure.
OPTIONAL_PAGES = set()

START_BALANCES = {"USDT": "10000", "BTC": "0.5", "ETH": "2"}
FROZEN_PRICES = {"BTCUSDT": "50000", "ETHUSDT": "3000"}

# Times as the pages write them: ISO-8601 ("2026-11-25T06:15:43.070Z") or in the reader's zone
# ("2026-11-25 15:15:43 KST", "… GMT+9").
TIMESTAMP = (r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
             r"(?:\s?(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?))?)?")

# Step 8: digits a user with no key, no settings and no trades may legitimately see in <main>.
# Each rule: (page or pages, CSS selector the text must be inside, JavaScript regex removed from the
# text before looking for digits, why). Not visible text, so never checked: input values, the
# options of a <select> (form choices such as "1s", "15m"), hidden elements, <header> (the
# username) and the freshness line outside <main>.
ALLOWED_DIGITS = [
    (("/trading", "/settings"), "form label", r"\b0 = off\b",
     "bot settings form labels say that 0 switches a risk limit off: an instruction, not a figure"),
    ("/status", "p", r"\(pid \d+\)",
     "System status: the supervisor's real pid, from the supervisor's own record"),
    ("/status", "p", TIMESTAMP,
     "System status: when the supervisor started, from its record"),
    ("/status", "p", r"\(https?://[^)\s]+\)",
     "System status: the simulator's address and port, from the configuration"),
    ("/status", "p", r"^\s*Your bot's host: \S+ runs your bot's worker \(its lease, number \d+, is current\)\s*$",
     "System status on PostgreSQL: the host running the reader's worker and its lease's number, from the leases table"),
    ("/status", "p", r"PostgreSQL at postgres://\S+?(?=,|\s|$)|\(the last to start: [^)]+\)",
     "System status on PostgreSQL: the central database's address and the host names, from the configuration"),
    ("/status", "li", r"^\s*\S+: (?:running since " + TIMESTAMP + r"; workers: \d+ \(at most \d+\)|draining \(running since "
     + TIMESTAMP + r"\); workers left to hand to the other hosts: \d+|not heard from for \d+ s: its users' workers move to the other hosts)\s*$",
     "System status on PostgreSQL: each host's name (configuration), start, last heartbeat and users' workers, from the hosts and leases tables"),
    ("/status", "table td", r"^\s*(?:web|exchange-sim)@\S+\s*$",
     "System status on PostgreSQL: a host's web and simulator, named with the host's id (configuration)"),
    ("/status", "p", r"^\s*Bots: \d+ [a-z_]+(?:, \d+ [a-z_]+)*\s*$",
     "System status: how many bots run on this machine, counted from the supervisor's records"),
    ("/status", "table td", r"^\s*\d+\s*$",
     "System status: PID and restart count of each process, from the supervisor's records"),
    ("/status", "table td", "^\\s*" + TIMESTAMP + "\\s*$",
     "System status: when each process started, from the supervisor's records"),
    ("/settings", "p.hint", r"At least \d+ characters",
     "the password rule (its minimum length), not a figure"),
    ("/settings", "#sessions td", r"[\s\S]+",
     "the user's own sessions: each browser's User-Agent, its address at sign-in and when it was last seen, from the sessions table"),
    ("/settings", "#tokens p.hint", r"/api/v1",
     "the API tokens' explanation: the API's path, not a figure"),
    ("/settings/activity", "#activity td", r"[\s\S]+",
     "the account's own audit trail: each row's number, time, address and what was done, from the audit_log table"),
    ("/settings", "p.hint", r"HMAC-SHA256|at least 16 characters",
     "the notification channels' explanation: the signature's algorithm and the secret's minimum length, not figures"),
    ("/bots/new", "p.hint", r"\d+(?:-minute)?",
     "/bots/new explains each parameter with its allowed range (1 to 60 characters, 2 to 200 levels): instructions, not figures"),
    ("/signals", "p", r"candles of \d+[smhdwM]\b",
     "the candle interval of the bot's settings (the default 1m): a setting, not a figure"),
    ("/signals", "figcaption", r"the last \d+ candles of \d+[smhdwM]\b",
     "caption of the candle chart: how many candles the exchange returned, of which interval (public market data)"),
    ("/signals", "figcaption", r"\(\d+ and \d+ here\)",
     "caption of the candle chart: how many buy and sell markers it shows (the user's signals, none: a count, not an amount)"),
]
# Visible <canvas> elements on a page of a user with no data: its axes would be numbers the
# text check cannot see. Pages listed here may show one (none may today).
ALLOWED_CANVAS = {
    "/signals",  # the candle chart of the exchange's public klines: real prices and times
}


class Failure(Exception):
    """A check that did not hold: the message says what was expected and what was seen."""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_for(what, timeout, probe, interval=0.5):
    """Calls probe() until it returns something truthy; Failure after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = probe()
            if result:
                return result
            last = None
        except Failure as error:
            last = error
        except StaleElementReferenceException:
            last = Failure("the page changed while being read (a live update)")
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout:g} s waiting for {what}" + (f": {last}" if last else ""))
        time.sleep(interval)


def random_name(prefix):
    # Letters only: a username shown on a page must never look like a number (step 8).
    return prefix + "".join(random.choice(string.ascii_lowercase) for _ in range(10))


def random_password():
    return "Pw-" + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(18))


def parse_amount(text):
    """The first number in `text` as a Decimal, however the page groups digits ("41000.00",
    "41,000.00", "41 000.00"); None when there is none. Returns (value, decimal places)."""
    text = text.replace("\u2212", "-")  # PnL is written with a true minus sign
    match = re.search(r"-?\d[\d,\u00a0\u202f\u2009 ']*(?:\.\d+)?", text)
    if not match:
        return None
    raw = re.sub(r"[,\u00a0\u202f\u2009 ']", "", match.group(0))
    places = len(raw.split(".")[1]) if "." in raw else 0
    return Decimal(raw), places


# ---------------------------------------------------------------------------------------------
# The exchange simulator over plain HTTP (admin calls unsigned; account calls signed as Binance).


class Simulator:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def _request(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read().decode(errors="replace")
            raise Failure(f"simulator {method} {path} answered {error.code}: {text[:300]}")
        except OSError as error:
            raise Failure(f"simulator {method} {path} failed: {error}")

    def create_account(self, balances):
        _, answer = self._request("POST", "/sim/v1/accounts", {"balances": balances})
        check(isinstance(answer, dict) and answer.get("apiKey") and answer.get("secretKey"),
              f"POST /sim/v1/accounts gave no apiKey/secretKey: {answer}")
        return answer["apiKey"], answer["secretKey"]

    def set_price(self, symbol, price, hold):
        self._request("POST", "/sim/v1/prices", {"symbol": symbol, "price": str(price), "hold": hold})

    def prices(self):
        _, answer = self._request("GET", "/api/v3/ticker/price")
        return {row["symbol"]: Decimal(row["price"]) for row in answer}

    def signed(self, path, key, secret, **params):
        params.update(timestamp=int(time.time() * 1000), recvWindow=5000)
        query = urllib.parse.urlencode(params)
        signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        _, answer = self._request("GET", f"{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": key})
        return answer

    def account(self, key, secret):
        return self.signed("/api/v3/account", key, secret)

    def my_trades(self, key, secret, symbol):
        return self.signed("/api/v3/myTrades", key, secret, symbol=symbol, limit=1000)

    def total_usdt(self, key, secret):
        """The account valued in USDT as the README says: ASSETUSDT, else ASSETBTC x BTCUSDT."""
        balances = self.account(key, secret)["balances"]
        prices = self.prices()
        total = Decimal(0)
        for row in balances:
            amount = Decimal(row["free"]) + Decimal(row["locked"])
            if amount == 0:
                continue
            asset = row["asset"]
            if asset == "USDT":
                price = Decimal(1)
            elif asset + "USDT" in prices:
                price = prices[asset + "USDT"]
            elif asset + "BTC" in prices and "BTCUSDT" in prices:
                price = prices[asset + "BTC"] * prices["BTCUSDT"]
            else:
                raise Failure(f"the test account holds {asset}, which has no price route")
            total += amount * price
        return total, balances, prices


class PriceMover(threading.Thread):
    """Moves BTCUSDT up and down by 1 % every 3 s (the random walk free in between), so that
    SMA(2) crosses SMA(3) on 1 s candles both ways: a buy after each rise, a sale after each fall."""

    def __init__(self, sim, symbol, base):
        super().__init__(daemon=True)
        self.sim, self.symbol, self.base = sim, symbol, Decimal(base)
        self.halt = threading.Event()
        self.error = None
        self.moves = 0

    def run(self):
        try:
            self.sim.set_price(self.symbol, self.base, hold=False)  # the hold released
            steps = [Decimal("1.01"), Decimal("0.99")]
            while not self.halt.wait(3):
                price = (self.base * steps[self.moves % 2]).quantize(Decimal("0.01"))
                self.sim.set_price(self.symbol, price, hold=False)
                self.moves += 1
        except Exception as error:  # reported by the step that stops it
            self.error = error

    def stop_and_hold(self):
        """Stops moving and freezes the price where it is (a flat market); returns that price."""
        self.halt.set()
        self.join(10)
        price = self.sim.prices()[self.symbol]
        self.sim.set_price(self.symbol, price, hold=True)
        return price


# ---------------------------------------------------------------------------------------------
# The browser.


class Browser:
    def __init__(self, web, profile_dir, artifacts, size=WIDE):
        self.web = web.rstrip("/")
        options = Options()
        options.binary_location = CHROMIUM
        for argument in [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
            f"--user-data-dir={profile_dir}", f"--window-size={size[0]},{size[1]}",
            "--lang=en-US", "--no-first-run", "--no-default-browser-check",
            "--password-store=basic",  # the same cookie encryption key in every instance
            "--disable-features=Translate,MediaRouter", "--hide-scrollbars",
        ]:
            options.add_argument(argument)
        options.add_experimental_option("prefs", {
            "intl.accept_languages": "en-US,en",
            "credentials_enable_service": False,
            "profile.password_manager_enabled": False,
        })
        service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(artifacts, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)
        self.driver.set_script_timeout(30)
        self.resize(*size)

    def resize(self, width, height):
        """An exact viewport (a phone's at narrow widths: meta viewport honoured, touch)."""
        self.size = (width, height)
        self.driver.set_window_size(width, height)
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
        })

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass

    # Navigation and reading.

    def open(self, path):
        self.driver.get(self.web + path)
        wait_for(f"{path} to load", 30, lambda: self.driver.execute_script("return document.readyState") == "complete", 0.1)

    def path(self):
        return urllib.parse.urlsplit(self.driver.current_url).path

    def fetch(self, path, method="GET", body=None, headers=None):
        """fetch() inside the page, with the browser's own cookies: {status, body, json}."""
        answer = self.driver.execute_async_script(
            """
            const [url, method, body, headers, done] = arguments;
            fetch(url, {method, body, headers, credentials: 'same-origin', redirect: 'manual', cache: 'no-store'})
              .then(async r => done({status: r.status, body: await r.text()}))
              .catch(e => done({status: -1, body: String(e)}));
            """,
            path, method, body, headers or {},
        )
        try:
            answer["json"] = json.loads(answer["body"])
        except ValueError:
            answer["json"] = None
        return answer

    def main_text(self):
        try:
            return self.driver.find_element(By.TAG_NAME, "main").text
        except NoSuchElementException:
            return self.driver.find_element(By.TAG_NAME, "body").text

    def signed_in(self):
        return bool(self.driver.find_elements(By.CSS_SELECTOR, "header form[action='/logout'] button, header [data-action='logout']"))

    def field(self, label=None, name=None, scope=None):
        """An input found by its name or id, else by its label's text (a regex)."""
        scope = scope or self.driver
        if name:
            found = scope.find_elements(By.CSS_SELECTOR, f"[name='{name}'], #{name}")
            if found:
                return found[0]
        if label:
            for element in scope.find_elements(By.TAG_NAME, "label"):
                if not re.search(label, element.text or element.get_attribute("textContent") or "", re.I):
                    continue
                target = element.get_attribute("for")
                if target:
                    found = self.driver.find_elements(By.ID, target)
                    if found:
                        return found[0]
                nested = element.find_elements(By.CSS_SELECTOR, "input, select, textarea")
                if nested:
                    return nested[0]
        raise Failure(f"no field labelled /{label}/ or named {name!r} on {self.path()}")

    def fill(self, value, label=None, name=None, scope=None):
        element = self.field(label, name, scope)
        if element.tag_name == "select":
            select = Select(element)
            try:
                select.select_by_value(value)
            except NoSuchElementException:
                select.select_by_visible_text(value)
        else:
            element.clear()
            element.send_keys(value)
        return element

    def tick(self, label=None, name=None, checked=True, scope=None):
        element = self.field(label, name, scope)
        if element.is_selected() != checked:
            element.click()

    def submit(self, form_of):
        """Clicks the submit button of the form holding `form_of` and waits for the next page."""
        form = form_of.find_element(By.XPATH, "./ancestor-or-self::form")
        buttons = form.find_elements(By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]")
        check(buttons, f"the form {form.get_attribute('action')} on {self.path()} has no submit button")
        self.click_and_wait(buttons[0])

    def press_and_wait(self, element, key):
        """Presses a key in `element` (Enter in a field submits its form) and waits for the next page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.send_keys(key)
        self.wait_replaced(old)

    def wait_replaced(self, old):
        def replaced():
            try:
                old.tag_name  # raises once the old document is gone
                return False
            except WebDriverException:
                return self.driver.execute_script("return document.readyState") == "complete"

        wait_for("the next page after submitting", 30, replaced, 0.1)

    def click_and_wait(self, element, accept_confirm=False):
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        if accept_confirm:
            try:
                alert = self.driver.switch_to.alert
                log(f"  confirmation asked: {alert.text!r}; accepted")
                alert.accept()
            except NoAlertPresentException:
                pass
        self.wait_replaced(old)

    def button(self, text, scope=None):
        scope = scope or self.driver
        for element in scope.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            if re.fullmatch(text, (element.text or element.get_attribute("value") or "").strip(), re.I):
                return element
        raise Failure(f"no button /{text}/ on {self.path()}")

    def screenshot(self, path, full=False):
        if not full:
            self.driver.save_screenshot(path)
            return
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))

    def nav_paths(self):
        paths = []
        for link in self.driver.find_elements(By.CSS_SELECTOR, "header nav a[href]"):
            href = urllib.parse.urlsplit(link.get_attribute("href"))
            if href.netloc == urllib.parse.urlsplit(self.web).netloc and href.path not in paths:
                paths.append(href.path)
        return paths


# ---------------------------------------------------------------------------------------------
# The scenario.


class Scenario:
    def __init__(self, args):
        self.web = args.web.rstrip("/")
        self.sim = Simulator(args.sim)
        self.artifacts = os.path.abspath(args.artifacts)
        os.makedirs(self.artifacts, exist_ok=True)
        self.temp = tempfile.mkdtemp(prefix="ctp-browser-")
        self.profile = os.path.join(self.temp, "profile")  # survives browser restarts (step 6)
        self.browser = None
        self.browsers = []
        self.mover = None
        self.warnings = []
        self.user = random_name("alice")
        self.password = random_password()

    def new_browser(self, profile, size=WIDE):
        browser = Browser(self.web, profile, self.artifacts, size)
        self.browsers.append(browser)
        return browser

    def artifact(self, name):
        return os.path.join(self.artifacts, name)

    def warn(self, message):
        self.warnings.append(message)
        log(f"  WARNING: {message}")

    # 1 ------------------------------------------------------------------------------------
    def exchange_account(self):
        """A simulator account with known balances, prices frozen; the exchange's own total."""
        for symbol, price in FROZEN_PRICES.items():
            self.sim.set_price(symbol, price, hold=True)
        self.key, self.secret = self.sim.create_account(START_BALANCES)
        total, balances, prices = self.sim.total_usdt(self.key, self.secret)
        held = {row["asset"]: Decimal(row["free"]) + Decimal(row["locked"]) for row in balances if Decimal(row["free"]) + Decimal(row["locked"])}
        check(held == {asset: Decimal(amount) for asset, amount in START_BALANCES.items()},
              f"the simulator account holds {held}, not the balances asked for {START_BALANCES}")
        for symbol, price in FROZEN_PRICES.items():
            check(prices.get(symbol) == Decimal(price), f"{symbol} is {prices.get(symbol)} on the exchange, not the frozen {price}")
        # Computed from what we asked for, as a check of the simulator itself (41000).
        expected = sum(Decimal(START_BALANCES[a]) * Decimal(FROZEN_PRICES.get(a + "USDT", "1")) for a in START_BALANCES)
        check(total == expected, f"the exchange's account is worth {total} USDT, expected {expected}")
        self.exchange_total = total
        log(f"  account {self.key[:4]}…{self.key[-4:]}: worth {total.normalize():f} USDT on the exchange")

    # 2 ------------------------------------------------------------------------------------
    def sign_up(self, browser, username, password):
        browser.open("/signup")
        browser.fill(username, label=r"^\s*user ?name", name="username")
        password_field = browser.fill(password, label=r"^\s*password", name="password")
        browser.submit(password_field)
        check(browser.path() not in ("/signup",), f"sign-up stayed on /signup: {browser.main_text()[:300]}")
        if not browser.signed_in():
            self.log_in(browser, username, password, remember=False)
        check(browser.signed_in(), f"not signed in after sign-up (at {browser.path()})")
        check(username in browser.driver.find_element(By.TAG_NAME, "header").text, "the header does not name the new user")

    def log_out(self, browser):
        browser.click_and_wait(browser.button(r"log ?out|sign ?out", browser.driver.find_element(By.TAG_NAME, "header")))
        check(not browser.signed_in(), f"still signed in after logging out (at {browser.path()})")
        browser.open("/settings")
        check(browser.path() == "/login", f"/settings after logout did not lead to /login but to {browser.path()}")

    def log_in(self, browser, username, password, remember):
        if browser.path() != "/login":
            browser.open("/login")
        browser.fill(username, label=r"^\s*user ?name", name="username")
        password_field = browser.fill(password, label=r"^\s*password", name="password")
        if remember:
            # By keyboard alone: Space ticks "keep me signed in", Enter in the password submits.
            box = browser.field(label=r"keep me signed in|remember", name="remember_me")
            if not box.is_selected():
                box.send_keys(Keys.SPACE)
            check(box.is_selected(), "Space did not tick \"keep me signed in\"")
            browser.press_and_wait(password_field, Keys.ENTER)
        else:
            browser.tick(label=r"keep me signed in|remember", name="remember_me", checked=remember)
            browser.submit(password_field)
        check(browser.signed_in(), f"not signed in after login (at {browser.path()}): {browser.main_text()[:300]}")

    def sign_up_log_out_log_in(self):
        self.browser = self.new_browser(self.profile)
        self.sign_up(self.browser, self.user, self.password)
        log(f"  signed up as {self.user}, landed on {self.browser.path()}")
        self.log_out(self.browser)
        log("  logged out")
        self.log_in(self.browser, self.user, self.password, remember=True)
        cookie = self.browser.driver.get_cookie("ctp_session")
        check(cookie is not None, "no ctp_session cookie after login")
        check(cookie.get("expiry"), f"'keep me signed in' gave a cookie that dies with the browser: {cookie}")
        days = (cookie["expiry"] - time.time()) / 86400
        log(f"  logged in with 'keep me signed in' (cookie for {days:.1f} days), at {self.browser.path()}")

    # 3 ------------------------------------------------------------------------------------
    def store_key(self):
        b = self.browser
        b.open("/settings")
        b.fill(self.key, label=r"^\s*api key", name="api_key")
        secret_field = b.fill(self.secret, label=r"^\s*secret", name="api_secret")
        b.submit(secret_field)
        masked = self.key[:4], self.key[-4:]
        text = b.main_text()
        check(masked[0] in text and masked[1] in text,
              f"the masked key ({masked[0]}…{masked[1]}) is not shown after storing it; the page says: {text[:400]}")
        source = b.driver.page_source
        check(self.key not in source, "the whole API key is in the page")
        check(self.secret not in source, "the secret is in the page")
        shown = b.driver.find_elements(By.ID, "masked-key")
        log(f"  key stored, shown as {shown[0].text if shown else masked[0] + '…' + masked[1]}")

    # 4 ------------------------------------------------------------------------------------
    def overview_total(self):
        b = self.browser
        expected = self.exchange_total
        seen = {}

        def total_matches():
            b.open("/")
            elements = b.driver.find_elements(By.ID, "total")
            text = elements[0].text if elements else next((line for line in b.main_text().splitlines() if re.search(r"total", line, re.I)), "")
            seen["text"] = text
            parsed = parse_amount(text)
            if not parsed:
                return False
            value, places = parsed
            return value == expected.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)

        try:
            wait_for("the overview's total", 30, total_matches, 1)
        except Failure:
            raise Failure(f"the overview never showed {expected} USDT within 30 s; last seen: {seen.get('text')!r}")
        b.screenshot(self.artifact("overview-total.png"))
        log(f"  the overview shows {seen['text']!r} = the exchange's {expected.normalize():f} USDT")

    # 5 ------------------------------------------------------------------------------------
    def settings_form(self):
        """The bot's settings form: on /settings, else on /trading (where it is today)."""
        b = self.browser
        for path in ("/settings", "/trading"):
            b.open(path)
            for form in b.driver.find_elements(By.TAG_NAME, "form"):
                if form.find_elements(By.CSS_SELECTOR, "[name='fast'], [name='symbols']"):
                    return form
        raise Failure("no bot settings form (with symbols and fast fields) on /settings or /trading")

    def bot_trades(self):
        b = self.browser
        form = self.settings_form()
        log(f"  settings form on {b.path()}")
        values = [
            (r"^\s*symbols", "symbols", "BTCUSDT"),
            (r"interval", "interval", "1s"),
            (r"^\s*strategy", "strategy", "sma_cross"),
            (r"fast", "fast", "2"),
            (r"slow", "slow", "3"),
            # Small positions and no exits, as TradingTests: only the strategy trades.
            (r"largest position \(%", "max_position_pct", "5"),
            (r"largest position \(usdt", "max_position_usdt", "500"),
            (r"^\s*stop-loss", "stop_loss_pct", "0"),
            (r"take-profit", "take_profit_pct", "0"),
            (r"trailing stop", "trailing_stop_pct", "0"),
            (r"daily loss", "daily_loss_limit_usdt", "0"),
            (r"drawdown", "max_drawdown_pct", "0"),
            (r"cooldown", "cooldown_minutes", "0"),
        ]
        for label, name, value in values:
            b.fill(value, label=label, name=name, scope=form)
        b.submit(form)
        errors = b.driver.find_elements(By.CSS_SELECTOR, "main .error, main [role=alert]")
        check(not errors, f"saving the settings failed: {errors[0].text if errors else ''}")
        saved = b.fetch("/api/v1/settings")["json"] or {}
        check(saved.get("symbols") == ["BTCUSDT"] and saved.get("interval") == "1s"
              and (saved.get("strategy") or {}).get("name") == "sma_cross"
              and (saved.get("strategy") or {}).get("params", {}).get("fast") in (2, 2.0)
              and (saved.get("strategy") or {}).get("params", {}).get("slow") in (3, 3.0),
              f"the saved settings are not what the form said: {saved}")
        log("  settings saved: BTCUSDT, 1s, sma_cross 2/3")

        b.open("/trading")
        b.click_and_wait(b.button(r"start"), accept_confirm=True)

        def running():
            state = (b.fetch("/api/v1/bot")["json"] or {}).get("state")
            if state in ("error", "emergency_stopped", "no_key"):
                raise Failure(f"the bot is {state}")
            return state == "running"

        wait_for("the bot to run", 20, running)
        b.open("/trading")
        state = b.driver.find_elements(By.ID, "bot-state")
        check(state and "running" in state[0].text.lower(), f"/trading does not say the bot runs: {state[0].text if state else b.main_text()[:200]}")
        log(f"  bot started: {state[0].text!r}")
        self.mover = PriceMover(self.sim, "BTCUSDT", FROZEN_PRICES["BTCUSDT"])
        self.mover.start()
        log("  BTCUSDT released and moved ±1 % every 3 s")

    # 5b -----------------------------------------------------------------------------------
    def live_fill_on_the_page(self):
        """/monitoring (its first page takes new fills live over /api/v1/events): each new trade
        of the bot appears as a row within a second of its time on the exchange, no reload."""
        b = self.browser
        b.open("/monitoring?show=fills")
        check(b.driver.find_elements(By.CSS_SELECTOR, "body[data-live~=fill]"), "/monitoring does not ask for live fills")
        # The browser notes when each trade id first shows in the table (its own clock, the
        # machine's, like the simulator's trade times).
        b.driver.execute_script("""
            window.__firstSeen = {};
            function scan(now) {
              document.querySelectorAll('#fills tbody tr').forEach(function (row) {
                var cells = row.querySelectorAll('td');
                if (cells.length < 8) return;
                var id = cells[cells.length - 1].textContent.trim();
                if (!(id in window.__firstSeen)) window.__firstSeen[id] = now;
              });
            }
            scan(-1);
            new MutationObserver(function () { scan(Date.now()); }).observe(document.body, {childList: true, subtree: true});
        """)
        loaded_at = time.time() * 1000
        wanted = 3

        def new_rows():
            if self.mover.error:
                raise Failure(f"moving the price failed: {self.mover.error}")
            seen = b.driver.execute_script("return window.__firstSeen || null;")
            if seen is None:
                raise Failure("the page was reloaded (the live update must not reload it)")
            fresh = {int(k): v for k, v in seen.items() if v > 0}
            return fresh if len(fresh) >= wanted else None

        fresh = wait_for(f"{wanted} new fills to appear on /monitoring without a reload", 90, new_rows, 0.2)
        trades = {t["id"]: t for t in self.sim.my_trades(self.key, self.secret, "BTCUSDT")}
        latencies = []
        for trade_id, shown_at in sorted(fresh.items()):
            trade = trades.get(trade_id)
            check(trade is not None, f"/monitoring shows trade {trade_id}, which the exchange does not have for this account")
            if trade["time"] < loaded_at:
                continue  # made before the page was read: not a live update
            latencies.append((shown_at - trade["time"]) / 1000)
        check(latencies, "no trade was made after the page loaded")
        latencies.sort()
        median = latencies[len(latencies) // 2]
        log(f"  fill → row on the page (s): {' '.join(f'{x:.3f}' for x in latencies)}")
        check(median < 1.0 and latencies[-1] < 2.5, f"live fills too slow: median {median:.3f} s, slowest {latencies[-1]:.3f} s (target: within a second)")
        check(b.driver.execute_script("return document.body.getAttribute('data-last-event') || ''").startswith("fill"), "no fill event reached the page")
        b.screenshot(self.artifact("monitoring-live.png"), full=True)

    # 6 ------------------------------------------------------------------------------------
    def session_survives_and_fills_match(self):
        self.browser.quit()
        self.browsers.remove(self.browser)
        self.browser = None
        log("  browser closed")

        def trades():
            if self.mover.error:
                raise Failure(f"moving the price failed: {self.mover.error}")
            return self.sim.my_trades(self.key, self.secret, "BTCUSDT")

        found = wait_for("a trade by the bot on the exchange", 90, trades, 1)
        # Give it the chance of the other side too (a sale after a buy), briefly.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len({t["isBuyer"] for t in found}) < 2:
            time.sleep(1)
            found = trades()
        held = self.mover.stop_and_hold()
        log(f"  {len(found)} trade(s) on the exchange ({sum(t['isBuyer'] for t in found)} buys); BTCUSDT held again at {held}")

        self.browser = self.new_browser(self.profile)
        b = self.browser
        b.open("/")
        check(b.path() == "/", f"a new browser on the same profile was sent to {b.path()}: the session did not survive")
        check(b.signed_in(), "a new browser on the same profile is not signed in")
        log("  new browser on the same profile: still signed in")

        # Stopped through the page, so that the comparison is not a race with new trades.
        b.open("/trading")
        b.click_and_wait(b.button(r"stop( \(keep positions\))?"), accept_confirm=True)
        wait_for("the bot to stop", 20, lambda: (b.fetch("/api/v1/bot")["json"] or {}).get("state") == "stopped")
        log("  bot stopped from /trading")

        compared = {}

        def same_trades():
            before = {t["id"]: t for t in self.sim.my_trades(self.key, self.secret, "BTCUSDT")}
            answer = b.fetch("/api/v1/fills?symbol=BTCUSDT&limit=500")
            if answer["status"] != 200:
                raise Failure(f"/api/v1/fills answered {answer['status']}: {answer['body'][:200]}")
            ids = [int(f["trade_id"]) for f in (answer["json"] or {}).get("items", [])]
            if len(ids) != len(set(ids)):
                raise Failure(f"a fill appears twice in /api/v1/fills: {sorted(ids)}")
            # The table on /trading shows the same trades (side, price, quantity).
            b.open("/trading")
            rows = self.table_rows("fills")
            if rows is None:
                raise Failure("/trading has no fills table")
            after = {t["id"]: t for t in self.sim.my_trades(self.key, self.secret, "BTCUSDT")}
            places = parse_amount(rows[0]["price_text"])[1] if rows else 2
            shown = sorted((r["side"].upper(), r["price"], r["quantity"]) for r in rows)
            wanted = sorted(
                ("BUY" if t["isBuyer"] else "SELL", Decimal(t["price"]).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN), Decimal(t["qty"]))
                for t in after.values())
            compared.update(exchange=sorted(after), api=sorted(ids), table=shown, wanted=wanted)
            if set(before) != set(after) or set(ids) != set(after):
                return None  # still moving, or not recorded yet
            if len(after) <= 50:
                return after if shown == wanted else None
            return after if len(shown) == 50 and all(row in wanted for row in shown) else None  # the newest 50

        try:
            exchange = wait_for("the dashboard's fills to equal the exchange's trades", 30, same_trades, 1)
        except Failure as error:
            raise Failure(
                f"{error}\n  exchange trade ids {compared.get('exchange')}\n  /api/v1/fills trade ids {compared.get('api')}"
                f"\n  /trading fills table {compared.get('table')}\n  exchange trades as the table would show them {compared.get('wanted')}")
        b.screenshot(self.artifact("trading-after-trades.png"), full=True)
        log(f"  /api/v1/fills (the browser's session) and the /trading table = myTrades: trade ids {sorted(exchange)}")

    def text_of(self, element_id):
        """The text of the element with this id ("" when there is none), read again when a live
        update replaced it between finding and reading."""
        for _ in range(10):
            try:
                found = self.browser.driver.find_elements(By.ID, element_id)
                return found[0].text.strip() if found else ""
            except StaleElementReferenceException:
                time.sleep(0.1)
        raise Failure(f"#{element_id} kept being replaced while read")

    def table_rows(self, table_id):
        """Rows of a table as dicts keyed by lower-cased header (side, price, quantity …)."""
        # One script reads the whole table: a live update cannot swap it between two reads.
        table = self.browser.driver.execute_script(
            """
            const t = document.getElementById(arguments[0]);
            if (!t) return null;
            const text = e => e.innerText.trim();
            return {headers: [...t.querySelectorAll('thead th')].map(h => text(h).toLowerCase()),
                    rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(text))};
            """, table_id)
        if table is None:
            return None
        headers = table["headers"]
        rows = []
        for cells in table["rows"]:
            if len(cells) != len(headers):
                continue  # "No fills yet."
            row = dict(zip(headers, cells))
            price = parse_amount(row.get("price", ""))
            quantity = parse_amount(row.get("quantity", row.get("qty", "")))
            if price and quantity:
                row.update(price=price[0], quantity=quantity[0], price_text=row["price"])
                rows.append(row)
        return rows

    # 6b -----------------------------------------------------------------------------------
    def overview_at_a_glance(self):
        """The overview's figures against the API the same session reads (the bot is stopped,
        so they hold still): realised PnL today, this week and in all as /api/v1/reports, the
        bot's state as /api/v1/bot, the last fills as /api/v1/fills (newest first)."""
        b = self.browser

        def report(period):
            answer = b.fetch(f"/api/v1/reports?period={period}")
            check(answer["status"] == 200, f"/api/v1/reports?period={period} answered {answer['status']}")
            return answer["json"]["items"]  # newest first

        def current(items, seconds):
            """The newest period's PnL when now is inside it (else nothing was realised in it)."""
            if not items:
                return Decimal(0)
            start = datetime.fromisoformat(items[0]["start"].replace("Z", "+00:00")).timestamp()
            return Decimal(items[0]["realized_pnl_usdt"]) if time.time() - start < seconds else Decimal(0)

        cent = Decimal("0.01")
        seen = {}

        def figures_match():
            days, weeks = report("day"), report("week")
            expected = {
                "pnl-today": current(days, 86400),
                "pnl-week": current(weeks, 7 * 86400),
                "pnl-all": sum((Decimal(i["realized_pnl_usdt"]) for i in days), Decimal(0)),
            }
            b.open("/")
            shown = {}
            for element_id in expected:
                text = self.text_of(element_id)
                if not text:
                    raise Failure(f"the overview has no #{element_id}: {b.main_text()[:400]!r}")
                tone = b.driver.execute_script("const e = document.getElementById(arguments[0]); return e ? e.className : '';", element_id)
                parsed = parse_amount(text)
                check(parsed is not None and parsed[1] == 2, f"#{element_id} is not an amount to the cent: {text!r}")
                value = parsed[0]
                if value > 0:
                    check(text.strip().startswith("+"), f"#{element_id} is positive without its sign: {text!r}")
                    check("gain" in tone, f"#{element_id} is positive but not coloured as a gain")
                if value < 0:
                    check(text.strip().startswith("\u2212"), f"#{element_id} is negative without a minus sign: {text!r}")
                    check("loss" in tone, f"#{element_id} is negative but not coloured as a loss")
                shown[element_id] = value
            seen.update(expected=expected, shown=shown)
            return all(shown[k] == v.quantize(cent, rounding=ROUND_HALF_EVEN) for k, v in expected.items())

        try:
            wait_for("the overview's PnL to equal /api/v1/reports", 20, figures_match, 1)
        except Failure as error:
            raise Failure(f"{error}\n  reports {seen.get('expected')}\n  overview {seen.get('shown')}")

        # The total and its change today: both there, the change with its sign or the reason.
        # (Read by id each time: a live update may swap a region between two reads.)
        check(self.text_of("total"), "the overview has no total")
        change = self.text_of("total-change")
        check(change, "the overview does not say how the total changed today")

        # The bot, as /api/v1/bot says.
        bot = b.fetch("/api/v1/bot")["json"] or {}
        state = self.text_of("bot-state")
        check(state, "the overview does not show the bot")
        check(bot.get("state", "?").replace("_", " ") in state.lower(), f"the overview says {state!r}, /api/v1/bot says {bot.get('state')!r}")

        # The last fills: the newest ones, as /api/v1/fills lists them, and a way to all of them.
        rows = self.table_rows("last-fills")
        check(rows is not None, "the overview has no last-fills table")
        newest = (b.fetch(f"/api/v1/fills?limit={max(len(rows), 1)}")["json"] or {}).get("items", [])
        check(rows and len(rows) == len(newest) and len(rows) <= 10, f"the overview shows {len(rows or [])} last fills, the API {len(newest)}")
        for row, fill in zip(rows, newest):
            wanted = (fill["side"], Decimal(fill["price"]), Decimal(fill["qty"]))
            check((row["side"].upper(), row["price"], row["quantity"]) == wanted, f"a last fill on the overview {row} is not the API's {wanted}")
        check(b.driver.find_elements(By.CSS_SELECTOR, "main a[href^='/monitoring']"), "the overview's last fills do not link to /monitoring")
        b.screenshot(self.artifact("overview-at-a-glance.png"), full=True)
        log(f"  PnL today/week/all {seen['shown']['pnl-today']}/{seen['shown']['pnl-week']}/{seen['shown']['pnl-all']} = /api/v1/reports;"
            f" bot {bot.get('state')}; {len(rows)} last fills = /api/v1/fills; change today {change!r}")

    # 7 ------------------------------------------------------------------------------------
    def page_list(self, browser):
        browser.open("/")
        return PAGES + [p for p in browser.nav_paths() if p not in PAGES]

    @staticmethod
    def slug(path):
        return "overview" if path == "/" else path.strip("/").replace("/", "-")

    def screenshots(self):
        b = self.browser
        pages = self.page_list(b)
        count = 0
        overflowing = []
        for width, height in (WIDE, NARROW):
            b.resize(width, height)
            for path in pages:
                status = b.fetch(path)["status"]
                if status == 404 and path in OPTIONAL_PAGES:
                    log(f"  {path}: 404 (not there yet), skipped")
                    continue
                check(status == 200, f"{path} answered {status}")
                b.open(path)
                check(b.path() == path, f"{path} led to {b.path()}")
                time.sleep(0.3)  # charts and live updates settle
                name = f"{self.slug(path)}-{width}"
                b.screenshot(self.artifact(name + ".png"))
                b.screenshot(self.artifact(name + "-full.png"), full=True)
                count += 1
                overflow = b.driver.execute_script(
                    "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];")
                if overflow[0] > overflow[1] + 1:
                    wide = b.driver.execute_script(
                        """
                        const w = document.documentElement.clientWidth, out = [];
                        for (const e of document.querySelectorAll('body *')) {
                          const r = e.getBoundingClientRect();
                          if (r.right > w + 1 && r.width > 0 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 1))
                            out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' (' + Math.round(r.right) + ' px)');
                        }
                        return out.slice(0, 6);
                        """)
                    overflowing.append(f"{path} at {width} px is {overflow[0]} px wide (horizontal scrolling): {', '.join(wide)}")
        log(f"  {count} pages at {WIDE[0]} and {NARROW[0]} px saved in {self.artifacts}")
        # A page works at both widths: wide tables scroll in their own box, the page does not.
        check(not overflowing, "pages wider than the window:\n    " + "\n    ".join(overflowing))
        b.resize(*WIDE)

    # 7b -----------------------------------------------------------------------------------
    @staticmethod
    def luminance(colour):
        """Relative luminance of a CSS rgb()/rgba() colour (0 black … 1 white)."""
        channels = [float(c) for c in re.findall(r"[\d.]+", colour)[:3]]

        def linear(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, bl = (linear(c) for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    def dark_scheme(self):
        b = self.browser
        pages = self.page_list(b)
        b.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        problems = []
        try:
            for width, height in (WIDE, NARROW):
                b.resize(width, height)
                for path in pages:
                    b.open(path)
                    time.sleep(0.2)
                    b.screenshot(self.artifact(f"dark-{self.slug(path)}-{width}.png"), full=True)
                    colours = b.driver.execute_script(
                        """
                        const s = e => getComputedStyle(e);
                        const d = document.documentElement;
                        const main = document.querySelector('main') || document.body;
                        return {dark: matchMedia('(prefers-color-scheme: dark)').matches, background: s(document.body).backgroundColor,
                                text: s(main).color, width: [d.scrollWidth, d.clientWidth],
                                tables: [...document.querySelectorAll('main table')].map(t => s(t).backgroundColor)};
                        """)
                    if not colours["dark"]:
                        raise Failure("the browser does not emulate prefers-color-scheme: dark")
                    background, text = self.luminance(colours["background"]), self.luminance(colours["text"])
                    contrast = (max(background, text) + 0.05) / (min(background, text) + 0.05)
                    if background > 0.05:
                        problems.append(f"{path} at {width} px: the page background {colours['background']} is not dark")
                    if contrast < 7:
                        problems.append(f"{path} at {width} px: text {colours['text']} on {colours['background']} has contrast {contrast:.1f} (< 7)")
                    for table in colours["tables"]:
                        if self.luminance(table) > 0.05:
                            problems.append(f"{path} at {width} px: a table's background {table} is not dark")
                            break
                    if colours["width"][0] > colours["width"][1] + 1:
                        problems.append(f"{path} at {width} px scrolls horizontally ({colours['width'][0]} px wide)")
        finally:
            b.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
            b.resize(*WIDE)
        check(not problems, "the dark scheme:\n    " + "\n    ".join(problems))
        log(f"  {len(pages)} pages at {WIDE[0]} and {NARROW[0]} px in the dark scheme: dark background, readable text, no horizontal scrolling")

    # 8 ------------------------------------------------------------------------------------
    VISIBLE_TEXT = """
        const main = document.querySelector('main') || document.body;
        const rules = arguments[0];
        const skip = 'select, option, optgroup, datalist, script, style, noscript, template, textarea';
        const found = [], allowed = [];
        const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const element = node.parentElement;
          if (!element || element.closest(skip)) continue;
          if (!element.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          if (range.getClientRects().length === 0) continue;
          const original = node.textContent;
          if (!/[0-9]/.test(original)) continue;
          let text = original;
          for (const [selector, pattern] of rules) {
            if (element.closest(selector)) text = text.replace(new RegExp(pattern, 'g'), '');
          }
          if (!/[0-9]/.test(text)) { allowed.push(original.trim().replace(/\\s+/g, ' ')); continue; }
          {
            const where = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '');
            const holder = element.closest('[id]');
            found.push({text: original.trim().replace(/\\s+/g, ' '), where: where + (holder && holder !== element ? ' in #' + holder.id : '')});
          }
        }
        const canvases = [...main.querySelectorAll('canvas')].filter(c => c.checkVisibility() && c.getBoundingClientRect().width > 0).length;
        return {found, allowed, canvases};
    """

    def no_made_up_numbers(self):
        if self.browser:
            self.browser.quit()
            self.browsers.remove(self.browser)
        self.browser = self.new_browser(os.path.join(self.temp, "profile-newcomer"))
        b = self.browser
        newcomer = random_name("bob")
        self.sign_up(b, newcomer, random_password())
        log(f"  signed up {newcomer}, who has no key")
        problems = []
        for path in self.page_list(b):
            status = b.fetch(path)["status"]
            if status == 404 and path in OPTIONAL_PAGES:
                log(f"  {path}: 404 (not there yet), skipped")
                continue
            check(status == 200, f"{path} answered {status}")
            b.open(path)
            time.sleep(0.3)
            rules = [[selector, pattern] for pages, selector, pattern, _ in ALLOWED_DIGITS
                     if path in ((pages,) if isinstance(pages, str) else pages)]
            result = b.driver.execute_script(self.VISIBLE_TEXT, rules)
            for item in result["found"]:
                problems.append(f"{path}: {item['text']!r} ({item['where']})")
            if result["canvases"] and path not in ALLOWED_CANVAS:
                problems.append(f"{path}: {result['canvases']} visible <canvas> without data (chart axes are numbers the text check cannot read)")
            for text in result["allowed"]:
                log(f"  {path}: allowed {text!r}")
            if not result["found"]:
                log(f"  {path}: no digit" + (" beyond the allow-list" if result["allowed"] else ""))
            if problems and problems[-1].startswith(path):
                b.screenshot(self.artifact(f"digits-{self.slug(path)}.png"), full=True)
        check(not problems, "digits shown to a user with no key and no data (allow-list in ALLOWED_DIGITS):\n    " + "\n    ".join(problems))

    def paper_grid_bot(self):
        """The newcomer of step 8 (no key) makes a grid on paper from /bots/new around the
        exchange's price, lands on its page with its levels drawn and marked paper, and finds it
        as a card on the overview."""
        b = self.browser
        price = self.sim.prices()["BTCUSDT"]
        lower, upper = (price * Decimal("0.9")).quantize(Decimal("1")), (price * Decimal("1.1")).quantize(Decimal("1"))
        b.open("/bots/new")
        form = b.driver.find_element(By.ID, "new-bot")
        name = random_name("grid")
        # The strategy first: the page shows only the chosen strategy's parameters.
        b.fill("grid", name="strategy", scope=form)
        check(b.field(name="grid_lower", scope=form).is_displayed(), "the grid's parameters are hidden with grid chosen")
        for field, value in [("name", name), ("symbol", "BTCUSDT"), ("grid_lower", str(lower)), ("grid_upper", str(upper)),
                             ("grid_levels", "6"), ("grid_investment", "600"), ("paper_usdt", "1000")]:
            b.fill(value, name=field, scope=form)
        b.fill("paper", name="mode", scope=form)
        check(not b.field(name="dca_base_order", scope=form).is_displayed(), "the DCA parameters are shown with grid chosen")
        b.submit(b.field(name="name", scope=form))
        check(re.fullmatch(r"/bots/\d+", b.path()) is not None, f"after creating, the browser is on {b.path()}, not /bots/<id>: {b.main_text()[:300]}")
        text = b.main_text()
        check(name in text, f"the bot's page does not name it {name}")
        check(b.driver.find_elements(By.CSS_SELECTOR, "h1 .badge.paper"), "the bot's heading is not marked paper")
        rows = b.driver.find_elements(By.CSS_SELECTOR, "#levels tbody tr")
        check(len(rows) == 6, f"{len(rows)} grid levels listed, expected 6")
        lines = b.driver.find_elements(By.CSS_SELECTOR, "#grid-chart line.level.buy, #grid-chart line.level.sell")
        check(len(lines) == 6, f"{len(lines)} level lines drawn, expected 6")
        check(b.driver.find_elements(By.CSS_SELECTOR, "#grid-chart line.level.last"), "the last price is not drawn with the levels")
        b.screenshot(self.artifact("bot-paper-grid.png"), full=True)
        log(f"  {name}: 6 levels between {lower} and {upper}, the price {price}")
        b.open("/")
        cards = [card for card in b.driver.find_elements(By.CSS_SELECTOR, "#bots .bot-card") if name in card.text]
        check(len(cards) == 1, f"the overview shows {len(cards)} cards named {name}")
        check(cards[0].find_elements(By.CSS_SELECTOR, ".badge.paper"), "the overview's card is not marked paper")

        # Started from its page: the worker (this user has no key) opens one order per cell on
        # virtual money, and the page shows them with the paper balances; then it stops.
        bot_path = cards[0].find_element(By.CSS_SELECTOR, "h3 a").get_attribute("href").replace(self.web, "")
        b.open(bot_path)
        b.click_and_wait(b.driver.find_element(By.ID, "bot-start"))

        def running():
            b.open(bot_path)
            state = b.driver.find_element(By.ID, "bot-state").text.lower()
            if "error" in state:
                raise Failure(f"the paper grid did not start: {state}")
            return "running" in state and len(b.driver.find_elements(By.CSS_SELECTOR, "#bot-open-orders tbody tr")) == 5

        wait_for("the paper grid to run with its 5 orders", 30, running)
        check(b.driver.find_elements(By.CSS_SELECTOR, "#paper-balances-now tbody tr"), "the running paper grid shows no paper balances")
        check(b.driver.find_elements(By.CSS_SELECTOR, "#bot-run .badge.paper"), "the running section is not marked paper")
        b.screenshot(self.artifact("bot-paper-grid-running.png"), full=True)
        b.click_and_wait(b.driver.find_element(By.ID, "bot-stop"))

        def stopped():
            b.open(bot_path)
            return "stopped" in b.driver.find_element(By.ID, "bot-state").text.lower() and not b.driver.find_elements(By.CSS_SELECTOR, "#bot-open-orders tbody tr")

        wait_for("the paper grid to stop with its orders cancelled", 30, stopped)
        log(f"  {name}: started on paper with 5 orders, then stopped")

    # -------------------------------------------------------------------------------------
    STEPS = [
        ("1 exchange account and its total", "exchange_account"),
        ("2 sign-up, logout, login (keep me signed in)", "sign_up_log_out_log_in"),
        ("3 the API key on /settings", "store_key"),
        ("4 the overview shows the exchange's total", "overview_total"),
        ("5 bot settings, start, prices moved", "bot_trades"),
        ("5b a fill shows on the page within a second, live", "live_fill_on_the_page"),
        ("6 a new browser: still signed in, fills = the exchange's trades", "session_survives_and_fills_match"),
        ("6b the overview: total, change today, PnL today/week/all, bot, last fills", "overview_at_a_glance"),
        ("7 every page at two widths", "screenshots"),
        ("7b every page in the dark scheme at two widths", "dark_scheme"),
        ("8 no made-up numbers for a user without data", "no_made_up_numbers"),
        ("9 a grid bot on paper from /bots/new, without a key: its levels, started, stopped", "paper_grid_bot"),
    ]

    def save_failure(self, step):
        if not self.browser:
            return
        base = self.artifact(f"failure-step{step.split()[0]}")
        try:
            self.browser.screenshot(base + ".png", full=True)
            with open(base + ".html", "w") as file:
                file.write(f"<!-- {self.browser.driver.current_url} -->\n" + self.browser.driver.page_source)
            print(f"saved {base}.png and {base}.html", file=sys.stderr)
        except Exception as error:
            print(f"could not save the failure's page: {error}", file=sys.stderr)

    def run(self):
        started = time.monotonic()
        for title, method in self.STEPS:
            log(f"step {title}")
            step_started = time.monotonic()
            try:
                getattr(self, method)()
            except Exception as error:
                message = str(error) if isinstance(error, Failure) else "".join(traceback.format_exception(error))
                print(f"FAILED at step {title}: {message}", file=sys.stderr, flush=True)
                self.save_failure(title)
                return 1
            log(f"  ok ({time.monotonic() - step_started:.1f} s)")
        log(f"PASSED in {time.monotonic() - started:.1f} s")
        return 0

    def write_warnings(self):
        if self.warnings:
            with open(self.artifact("warnings.txt"), "w") as file:
                file.write("\n".join(self.warnings) + "\n")
            log(f"{len(self.warnings)} warning(s), also in {self.artifact('warnings.txt')}")

    def close(self):
        if self.mover and self.mover.is_alive():
            self.mover.halt.set()
        self.write_warnings()
        for browser in self.browsers:
            browser.quit()
        shutil.rmtree(self.temp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", required=True, help="the dashboard, http://127.0.0.1:PORT")
    parser.add_argument("--sim", required=True, help="the exchange simulator, http://127.0.0.1:PORT")
    parser.add_argument("--artifacts", required=True, help="folder for screenshots and failure pages")
    args = parser.parse_args()
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            print(f"{path} is missing: install chromium and chromium-driver (make deps)", file=sys.stderr)
            return 2

    def terminated(signum, _frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, terminated)
    scenario = Scenario(args)
    try:
        return scenario.run()
    finally:
        scenario.close()


if __name__ == "__main__":
    sys.exit(main())
