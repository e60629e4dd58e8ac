#!/usr/bin/env python3
"""Drives the floor view in a real headless Chromium (Debian's chromium and chromium-driver) with Selenium.

Run by the Swift test FloorViewBrowserTests, which plays the machine and the twin service beside it and reads the
steps this script prints, one JSON object per line:

  {"step": "placed", "machines": N}   every machine of /api/v1/layout stands where the layout says
  {"step": "injected"}                 the trainer controls sent inject_fault (the test then overheats the machine)
  {"step": "alert_seen", "at": T}      the alert is on the page (T: Unix time, seconds)
  {"step": "acknowledged"}             the page shows the acknowledgement the twin service took

Screenshots go to the artefacts folder. Any failure prints {"step": "failed", "reason": ...}, keeps a screenshot and
exits 1.
"""
import argparse
import json
import re
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait


def say(step, **fields):
    print(json.dumps({"step": step, **fields}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--machine", required=True, help="the machine to inject a fault into (site/area/line/machine)")
    parser.add_argument("--fault", required=True)
    parser.add_argument("--rule", required=True, help="the rule the fault raises")
    parser.add_argument("--artefacts", required=True, help="folder for screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--driver", default="/usr/bin/chromedriver")
    arguments = parser.parse_args()

    options = webdriver.ChromeOptions()
    options.binary_location = arguments.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1600,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=arguments.driver), options=options)
    shot = lambda name: driver.save_screenshot(f"{arguments.artefacts}/floor-{name}.png")
    try:
        run(driver, arguments, shot)
    except Exception as error:  # noqa: BLE001 - any failure is reported the same way
        say("failed", reason=f"{type(error).__name__}: {error}")
        shot("failure")
        return 1
    finally:
        driver.quit()
    return 0


def retrying(action, attempts=20):
    """Runs `action`, again when the page redrew the element it found (live pages redraw)."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


def run(driver, arguments, shot):
    # Generous: Chromium shares two cores with the whole suite; the 2 s from raise to page is measured by the test, not here.
    wait = WebDriverWait(driver, 45)
    driver.get(arguments.url + "/")
    wait.until(lambda d: d.find_element(By.ID, "status").get_attribute("data-state") == "live")
    layout = json.load(urllib.request.urlopen(arguments.url + "/api/v1/layout"))
    assert layout["machines"], "the layout has no machine"
    for machine in layout["machines"]:
        selector = f'g.machine[data-path="{machine["path"]}"]'
        wait.until(conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))
        x, _, z = machine["pose"]["position"]
        transform = retrying(lambda s=selector: driver.find_element(By.CSS_SELECTOR, s).get_attribute("transform"))
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", transform)]
        assert abs(numbers[0] - x) < 1e-6 and abs(numbers[1] - z) < 1e-6, f"{machine['path']} stands at {transform}, not ({x}, {z})"
        wait.until(lambda d, s=selector: retrying(lambda: d.find_element(By.CSS_SELECTOR, s).get_attribute("data-state")) not in (None, ""))
    say("placed", machines=len(layout["machines"]))
    shot("floor")

    driver.find_element(By.ID, "user").send_keys("browser-trainer")
    driver.execute_script("document.getElementById('user').dispatchEvent(new Event('change'))")
    retrying(lambda: driver.find_element(By.CSS_SELECTOR, f'g.machine[data-path="{arguments.machine}"] rect.body').click())
    wait.until(conditions.visibility_of_element_located((By.ID, "machine-pane")))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#fault option")) > 0)
    retrying(lambda: Select(driver.find_element(By.ID, "fault")).select_by_value(arguments.fault))
    retrying(lambda: driver.find_element(By.CSS_SELECTOR, '#controls button[data-command="inject_fault"]').click())
    wait.until(lambda d: "inject_fault sent" in d.find_element(By.ID, "control-status").text)
    say("injected")

    alert_id = f"{arguments.machine}/{arguments.rule}"
    item_selector = f'#alerts li[data-alert-id="{alert_id}"]'
    wait.until(conditions.presence_of_element_located((By.CSS_SELECTOR, item_selector)))
    say("alert_seen", at=time.time())
    wait.until(lambda d: retrying(lambda: d.find_element(By.CSS_SELECTOR, f'g.machine[data-path="{arguments.machine}"]').get_attribute("data-alert")))
    shot("alert")

    retrying(lambda: driver.find_element(By.CSS_SELECTOR, f"{item_selector} button.ack").click())
    wait.until(lambda d: "acknowledged by browser-trainer" in retrying(lambda: d.find_element(By.CSS_SELECTOR, item_selector).text))
    say("acknowledged")
    shot("acknowledged")

    driver.find_element(By.ID, "large").click()
    assert "large" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    shot("large-type")


if __name__ == "__main__":
    sys.exit(main())
