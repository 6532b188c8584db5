"""A real headless Chromium for the tests: Debian's chromium and chromedriver (installed by
`./run test`), driven by Selenium with explicit paths, so no tool ever tries to download a
browser or a driver. The flags keep it off the network this machine does not have."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    raise RuntimeError(f"{' or '.join(names)} is not installed: `./run test` installs Debian's chromium and "
                       "chromium-driver (or: apt-get install chromium chromium-driver)")


@contextmanager
def chromium(width: int = 1200, height: int = 900) -> Iterator[webdriver.Chrome]:
    profile = tempfile.mkdtemp(prefix="ctc-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = _binary("chromium", "chromium-browser")
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={max(width, 500)},{height}"):
        options.add_argument(flag)
    if width < 500:  # a headless window is never narrower than 500 px: a phone's screen is emulated
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height,
                                                                              "pixelRatio": 3.0}})
    driver = webdriver.Chrome(service=Service(_binary("chromedriver")), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def element(driver: webdriver.Chrome, css: str, seconds: float = 15) -> WebElement:
    """The element once the page has it (a page still loading on a busy machine is waited for)."""
    found: WebElement = WebDriverWait(driver, seconds).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))
    return found


def submit(driver: webdriver.Chrome, button: WebElement, seconds: float = 15) -> None:
    """Click a form's button and wait until the page it leads to has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()

    def replaced(_driver: webdriver.Chrome) -> bool:
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:  # Chromium may say so in its own words mid-navigation
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    WebDriverWait(driver, seconds).until(replaced)


def follow_link(driver: webdriver.Chrome, url: str, seconds: float = 15) -> None:
    """Open a link from a message as a person does: the page it opens says for whom and what,
    and the person confirms (a link is used only then)."""
    driver.get(url)
    found = driver.find_elements(By.ID, "continue")
    if found:
        submit(driver, found[0], seconds)


AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(driver: webdriver.Chrome) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each (rule, what
    is wrong, where). `./run test` installs the pinned axe-core."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `./run test` installs it (npm ci --prefix tests/a11y)")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help,"
        " where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), where: []}]));", WCAG_AA)
    return [f"{v['id']}: {v['help']} at {', '.join(v['where'])}" for v in result]


def assert_accessible(driver: webdriver.Chrome, what: str) -> None:
    driver.set_script_timeout(60)
    found = axe_violations(driver)
    assert not found, f"{what} ({driver.current_url}):\n  " + "\n  ".join(found)


SHOTS = Path(__file__).resolve().parent.parent / ".ctc" / "test-artifacts" / "screenshots"


def shot(driver: webdriver.Chrome, name: str) -> Path:
    """Keep a screenshot of the page as a test artefact (.ctc/test-artifacts/screenshots/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def fits(driver: webdriver.Chrome) -> bool:
    """Nothing runs off the side of the window (wide tables scroll inside their own box)."""
    width, inner = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    return bool(width <= inner)


def opened_at_refusal(driver: webdriver.Chrome, seconds: float = 15) -> bool:
    """After a refused form: the page opens at its summary of what to correct (#fel), focused
    and on the screen — waited for, as the page's script puts it there once the page is read."""
    def there(_driver: webdriver.Chrome) -> bool:
        active = driver.switch_to.active_element.get_attribute("id")
        return active == "fel" and in_view(driver, "#fel")
    try:
        WebDriverWait(driver, seconds).until(there)
    except TimeoutException:
        return False
    return True


def in_view(driver: webdriver.Chrome, css: str) -> bool:
    """The element is on the screen as the page is shown (after a form's answer, not scrolled to)."""
    return bool(driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight;", css))


def lowest_contrast(driver: webdriver.Chrome, css: str) -> float:
    """The lowest contrast ratio (WCAG 2.1) of the text of the elements ``css`` picks against the
    page's white background, from the colours the browser computed."""
    return float(driver.execute_script("""
        const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
        const luminance = rgb => { const [r, g, b] = rgb.match(/\\d+/g).map(Number);
                                   return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b); };
        let lowest = 21;
        for (const el of document.querySelectorAll(arguments[0])) {
            const l = luminance(getComputedStyle(el).color);
            lowest = Math.min(lowest, 1.05 / (l + 0.05));
        }
        return lowest;""", css))


def broken_words(driver: webdriver.Chrome, css: str) -> list[str]:
    """The words of the element's text that the browser split across two lines (a name broken
    mid-word on a phone); a name wraps at its spaces and slashes only."""
    return list(driver.execute_script("""
        const broken = [];
        const walker = document.createTreeWalker(document.querySelector(arguments[0]), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const re = /[^\\s\\/]+/g;
            let m;
            while ((m = re.exec(node.textContent)) !== null) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (tops.size > 1) { broken.push(m[0]); }
            }
        }
        return broken;""", css))
