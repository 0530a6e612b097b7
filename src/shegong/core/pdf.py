"""Printable documents: HTML with the CJK fonts Debian ships (``fonts-noto-cjk``), made into a PDF by WeasyPrint
where it is installed (ARCHITECTURE "Stack"), else by the headless Chromium the deployment already has for its
browser tests. Neither present: ``PdfUnavailable``, and the caller answers a clear 503, never a PDF of empty boxes."""

from __future__ import annotations

import logging
import pathlib
import shutil
import subprocess
import tempfile

from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class PdfUnavailable(RuntimeError):
    pass


def html_to_pdf(html: str) -> bytes:
    try:
        import weasyprint  # noqa: PLC0415 - optional: WeasyPrint is the documented engine where installed
    except ImportError:
        weasyprint = None
    if weasyprint is not None:
        return weasyprint.HTML(string=html).write_pdf()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        raise PdfUnavailable("neither WeasyPrint nor Chromium is installed")
    with tempfile.TemporaryDirectory() as folder:
        source = pathlib.Path(folder) / "document.html"
        target = pathlib.Path(folder) / "document.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder}/profile",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, timeout=90, check=False)
        if result.returncode != 0 or not target.exists():
            logger.error("chromium could not print the document: %s", result.stderr[-500:])
            raise PdfUnavailable("chromium failed")
        return target.read_bytes()


def pdf_response(html: str, filename: str) -> HttpResponse:
    """The PDF of ``html`` shown inline, or a 503 saying to take the Excel version."""
    try:
        content = html_to_pdf(html)
    except (PdfUnavailable, subprocess.TimeoutExpired):
        return HttpResponse(
            _("暂时无法生成 PDF，请下载 Excel 版本"), status=503, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
