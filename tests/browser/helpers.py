"""Helpers for browser tests."""

import re
from pathlib import Path

from django.conf import settings

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"


def screenshot(page, name):
    """Save a full-page PNG to var/screenshots/NAME.png for a person to look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=path, full_page=True)
    return path


def focus_next(page):
    """Press Tab and describe the element that then has focus: tag, text and href."""
    page.keyboard.press("Tab")
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), text: el.textContent.trim(),
                    href: el.getAttribute("href"), id: el.id};
        }"""
    )
