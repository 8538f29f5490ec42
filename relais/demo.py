"""Building blocks of the demo data (seed_demo): never used outside it."""

from __future__ import annotations

import io


def demo_pdf(organisation: str, title: str) -> bytes:
    """A small real PDF that says it is fictional, for the demo's documents and attachments."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(36, 540, title[:60])
    pdf.setFont("Helvetica", 10)
    pdf.drawString(36, 515, organisation[:80])
    pdf.drawString(36, 490, "DOCUMENT DE DÉMONSTRATION — FICTIF / DEMO DOCUMENT — FICTIONAL")
    pdf.save()
    return buffer.getvalue()
