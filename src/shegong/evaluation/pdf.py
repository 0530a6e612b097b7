"""The printable bulletin (``core.pdf``: WeasyPrint or Chromium with the CJK fonts)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

from shegong.core.pdf import PdfUnavailable, html_to_pdf, pdf_response

from .models import Bulletin
from .ranking import TIE_RULE

__all__ = ["PdfUnavailable", "bulletin_html", "bulletin_response", "html_to_pdf"]


def bulletin_html(bulletin: Bulletin) -> str:
    return render_to_string("evaluation/bulletin_print.html", {"b": bulletin, "tie_rule": TIE_RULE})


def bulletin_response(bulletin: Bulletin) -> HttpResponse:
    return pdf_response(
        bulletin_html(bulletin), f"bulletin-{bulletin.year}Q{bulletin.quarter}-v{bulletin.version}.pdf"
    )
