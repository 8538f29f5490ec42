"""Printable PDFs (reportlab): the application for committees (applications), the grant agreement
(agreement). `from grants.documents import application_pdf` keeps working."""

from .applications import application_pdf

__all__ = ["application_pdf"]
