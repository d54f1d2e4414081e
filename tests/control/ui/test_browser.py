"""The sandbox UI in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven by
Selenium against a served simulator on a manual clock.

Skipped, with the reason, only where Chromium is not installed and this is not CI (``$CI`` set: .ci/run
installs it, and its absence is a failure there). Each test serves its own simulator, so every view it
photographs starts from the same fixtures and the same clock. ``UPDATE_SCREENSHOTS=1`` writes the pictures
into docs/images/ (the README shows them); otherwise they go to the test's temporary folder, so a test
run leaves the checkout as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.testing.receiver import WebhookReceiver
from mock_server.testing.servers import on_free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must have chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only once the browser is known to be there)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
WAIT = 15  # real seconds the browser has to show a change (page I/O, not the simulated clock)
LOCAL = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


@pytest.fixture
def served():
    """A simulator of this test's own on a free port: its base URL."""
    with on_free_port(lambda port: create_app(Settings(clock="manual", port=port))) as url:
        yield url


@pytest.fixture
def shots(tmp_path):
    folder = ROOT / "docs" / "images" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, served):
    browser.get_log("browser"), browser.get_log("performance")  # drop what earlier tests left
    browser.get(served + "/")
    wait_for(browser, "#tenants .card")
    wait_for(browser, "#live.on")
    yield browser
    browser.get("about:blank")  # the page's live feed closes before its server stops


def wait_for(driver, selector: str, condition=EC.presence_of_element_located):
    return WebDriverWait(driver, WAIT).until(condition((By.CSS_SELECTOR, selector)))


def wait_until(driver, predicate, message: str = ""):
    # The live feed re-renders what it changes: an element found a moment ago may be gone; look again.
    return WebDriverWait(driver, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: predicate(d), message)


def click(driver, selector: str) -> None:
    wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True, f"no {selector} to click")


def tab(driver, name: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'#tabs [data-tab="{name}"]').click()
    wait_for(driver, f"#tab-{name}.active", EC.visibility_of_element_located)


def tenant_of(url: str) -> dict:
    return httpx.get(url + "/_mock/tenants", trust_env=False).json()["tenants"][0]


def shoot(driver, folder: Path, name: str) -> None:
    driver.execute_script("window.scrollTo(0, 0); document.getAnimations().forEach(a => a.finish());")
    assert driver.save_screenshot(str(folder / f"{name}.png"))


def test_the_page_loads_with_no_console_error_and_nothing_leaves_localhost(page, served, shots):
    assert page.current_url == served + "/_mock/ui"
    company = tenant_of(served)
    # Read in one script: the page re-renders the cards as it polls, so an element found first may be stale later.
    cards = page.execute_script("""return [...document.querySelectorAll('#tenants .card')].map(card => ({
        text: card.innerText, copy: [...card.querySelectorAll('button[data-copy]')].map(b => b.dataset.copy)}))""")
    assert len(cards) == 2 and company["api_key"] in cards[0]["text"]
    copy = cards[0]["copy"]
    assert company["company_id"] in copy and f"Bearer {company['api_key']}" in copy
    assert "templates: 10" in cards[0]["text"]  # what the tenant holds
    assert page.find_element(By.ID, "clock-mode").text == "manual clock"
    for name in ("requests", "templates", "contacts", "users", "calls", "calllog", "campaigns", "scenarios",
                 "simulate", "settings", "webhooks", "conversations", "overview"):
        tab(page, name)
    shoot(page, shots, "overview")
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    requested = [json.loads(entry["message"])["message"] for entry in page.get_log("performance")]
    urls = {m["params"]["request"]["url"] for m in requested if m["method"] == "Network.requestWillBeSent"}
    assert urls and {urlsplit(u).hostname for u in urls} <= LOCAL, urls


def run_from_form(driver, scenario: str) -> None:
    tab(driver, "scenarios")
    Select(driver.find_element(By.ID, "scenario")).select_by_value(scenario)
    click(driver, '#scenario-form button[type="submit"]')
    wait_until(driver, lambda d: d.find_element(By.ID, "scenario-result").is_displayed())


def test_a_scenario_run_from_its_form_shows_its_events_in_the_live_feed(page, served, shots):
    tab(page, "webhooks")
    assert page.find_elements(By.CSS_SELECTOR, "#events tr") == []
    run_from_form(page, "incoming-answered")
    assert '"status": "running"' in page.find_element(By.ID, "scenario-result").text
    shoot(page, shots, "scenarios")
    page.find_element(By.CSS_SELECTOR, '[data-advance="600"]').click()  # the clock, moved from the page
    tab(page, "webhooks")
    wait_for(page, '#events tr[data-event="call.end"]')
    told = [row.get_attribute("data-event") for row in page.find_elements(By.CSS_SELECTOR, "#events tr")]
    assert told == ["call.summary", "call.end", "call.answered", "call.dial_begin", "call.initiated"]
    tab(page, "calls")
    # The panel is live: a refresh the advance set off may still be on its way, so wait for the call as it ended.
    wait_until(page, lambda d: any(len(call.find_elements(By.CSS_SELECTOR, ".leg")) == 2 and "bridged" in call.text
                                   for call in d.find_elements(By.CSS_SELECTOR, "#calls .call")),
               "no bridged call with two legs")
    shoot(page, shots, "calls")
    tab(page, "requests")
    company_id = tenant_of(served)["company_id"]
    httpx.get(served + "/chat/templates", trust_env=False, headers={
        "Authorization": f"Bearer {tenant_of(served)['api_key']}", "X-MYOP-COMPANY-ID": company_id})
    row = wait_for(page, '#requests tr[data-path="/chat/templates"]')
    assert "GET" in row.text and "200" in row.text and company_id in row.text
    click(page, '#requests tr[data-path="/chat/templates"]')
    body = wait_for(page, "#detail .response-body", EC.visibility_of_element_located)
    assert '"start_chat"' in body.text  # the answer, pretty-printed
    shoot(page, shots, "requests")


def test_a_resend_from_the_delivery_makes_a_new_attempt(page, served, shots):
    with WebhookReceiver() as receiver:
        tab(page, "webhooks")
        form = page.find_element(By.ID, "subscription-form")
        form.find_element(By.NAME, "url").send_keys(receiver.url)
        form.find_element(By.NAME, "events").clear()
        form.find_element(By.NAME, "events").send_keys("call.initiated")
        form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
        wait_until(page, lambda d: receiver.url in d.find_element(By.ID, "subscriptions").text)
        run_from_form(page, "ivr-only")
        tab(page, "webhooks")
        wait_until(page, lambda d: "delivered" in d.find_element(By.CSS_SELECTOR, "#deliveries tr").text)
        click(page, "#deliveries tr")
        wait_until(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#delivery-detail .attempts tbody tr")) == 1)
        click(page, "#resend")
        wait_until(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#delivery-detail .attempts tbody tr")) == 2,
                   "the redelivery's attempt did not show")
        last = page.find_elements(By.CSS_SELECTOR, "#delivery-detail .attempts tbody tr")[-1].text
        assert "200" in last and "yes" in last
        assert receiver.wait_for(2) and len(set(receiver.event_ids())) == 1  # the same event, sent again
        shoot(page, shots, "webhooks")


def test_a_customers_message_appears_in_the_conversation(page, served, shots):
    tab(page, "simulate")
    form = page.find_element(By.ID, "inbound-form")
    text = form.find_element(By.NAME, "text")
    text.clear()
    text.send_keys("Where is my parcel?")
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    wait_for(page, "#tab-conversations.active", EC.visibility_of_element_located)
    bubble = wait_for(page, "#chat .bubble.incoming", EC.visibility_of_element_located)
    assert bubble.text.startswith("Where is my parcel?")
    assert "24-hour window open until 2025-07-16 10:00:00Z" in page.find_element(By.ID, "chat").text
    reply = page.find_element(By.CSS_SELECTOR, "#chat .reply input")
    reply.send_keys("It is out for delivery.")
    click(page, '#chat .reply button[type="submit"]')
    outgoing = wait_for(page, "#chat .bubble.outgoing", EC.visibility_of_element_located)
    assert "It is out for delivery." in outgoing.text
    shoot(page, shots, "conversations")


def test_a_template_approved_in_the_page_is_approved_through_the_public_api(page, served, shots):
    company = tenant_of(served)
    headers = {"Authorization": f"Bearer {company['api_key']}", "X-MYOP-COMPANY-ID": company["company_id"]}
    waba = next(w["waba_id"] for w in company["waba_accounts"] if w["role"] == "primary")
    created = httpx.post(served + "/chat/templates", headers=headers, trust_env=False, json={
        "name": "spring_launch", "language": "en", "category": "marketing", "waba_id": waba,
        "components": [{"type": "BODY", "text": "Hi {{name}}, our spring range is here.", "example": {"name": "Asha"}}]})
    assert created.status_code == 201, created.text
    template_id = created.json()["data"]["id"]
    tab(page, "templates")
    wait_for(page, '#templates tr[data-template="spring_launch"] button.approve', EC.element_to_be_clickable)
    shoot(page, shots, "templates")
    click(page, '#templates tr[data-template="spring_launch"] button.approve')
    wait_until(page, lambda d: not d.find_elements(By.CSS_SELECTOR, '#templates tr[data-template="spring_launch"] button'))
    fetched = httpx.get(f"{served}/chat/templates/{template_id}", headers=headers, trust_env=False).json()
    assert fetched["data"]["waba_template_status"] == "approved"
