"""Screenshots of the app: where they are saved and what the app says about them.

Mixed into MmvizApp (Textual's App gives deliver_screenshot and the delivery events)."""
from __future__ import annotations

import os
from pathlib import Path
from textual import events

from scenarios.textsafe import sanitize
from widgets.i18n import tr


def screenshot_folder() -> Path:
    """Where a screenshot is saved: the user's Downloads folder (Textual's choice) when it
    exists, else the current directory when it is writable, else mmviz's own folder under the
    XDG data directory (``~/.local/share/mmviz/screenshots``), made if missing."""
    from platformdirs import user_data_path, user_downloads_path
    downloads = user_downloads_path()
    if downloads.is_dir() and os.access(downloads, os.W_OK):
        return downloads
    try:
        here = Path.cwd()
    except OSError:                  # the directory was removed under the app
        here = None
    if here is not None and os.access(here, os.W_OK):
        return here
    own = user_data_path("mmviz") / "screenshots"
    own.mkdir(parents=True, exist_ok=True)
    return own


class ScreenshotMixin:
    """Mixed into MmvizApp: every screenshot saved where it can be, its path or the reason
    it failed told in the app's language.  Needs ``lang`` and App's notify()."""

    lang: str

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Every screenshot -- the palette's "Screenshot" calls this directly, the screenshot
        action through Textual's -- goes to a folder that exists (:func:`screenshot_folder`):
        Textual's default is ~/Downloads, and where that folder is missing the save failed
        ("Failed to save screenshot").  As Textual's, but its fonts are not fetched from the web
        (svgcast.offline_fonts)."""
        import io

        from textual.app import generate_datetime_filename

        from .svgcast import offline_fonts
        name = filename or generate_datetime_filename(self.title, ".svg", time_format)  # type: ignore[attr-defined]
        return self.deliver_text(io.StringIO(offline_fonts(self.export_screenshot())),  # type: ignore[attr-defined]
                                 save_directory=path or str(screenshot_folder()), save_filename=name,
                                 open_method="browser", mime_type="image/svg+xml", name="screenshot")

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        """A saved screenshot: its path, in the app's language (Textual's note is English)."""
        if event.name == "screenshot":
            event.prevent_default()
            text = tr(self.lang, "msg.screenshot", path=str(event.path)) if event.path is not None \
                else tr(self.lang, "msg.screenshot_web")
            self.notify(sanitize(text), markup=False, timeout=6)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        """A screenshot that could not be written: why, in the app's language."""
        if event.name == "screenshot":
            event.prevent_default()
            error = f"{type(event.exception).__name__}: {event.exception}"
            self.notify(sanitize(tr(self.lang, "msg.screenshot_failed", error=error)),
                        severity="error", markup=False, timeout=8)
