"""The printable attendance sheet (reportlab through relais.pdf), for sessions without connectivity.

One page block per day: the registered people (their code in a protected session), blank rows for
walk-ins, and a signature column. Attendance can then be typed in the grid or imported.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

from relais import pdf

from .learning import ATTENDED
from .models import Registration, TrainingSession

BLANK_ROWS = 5


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def attendance_sheet_pdf(*, session: TrainingSession, registrations: list[Registration]) -> bytes:
    style = pdf.styles()
    place = _("Remote") if session.remote else ", ".join(
        p for p in (session.venue, session.commune.name if session.commune else "",
                    session.region.name if session.region else "") if p)
    story: list = []
    for index, day in enumerate(session.days):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(pdf.text(_("Attendance sheet")), style.title))
        story.append(pdf.para(session.title, style.heading))
        story.append(pdf.para(_("Day %(number)s: %(date)s — %(place)s") % {
            "number": index + 1, "date": _day(day), "place": place or "—"}, style.body))
        if session.protected:
            story.append(pdf.para(_("Protected session: participants are listed by their code."), style.small))
        story.append(Spacer(1, 4 * mm))
        header = ["#", _("Code") if session.protected else _("Name"), _("Organisation"), _("Arrival"), _("Signature")]
        rows = [[pdf.para(h, style.small) for h in header]]
        for number, registration in enumerate(registrations, start=1):
            person = registration.participant
            who = person.code if session.protected else person.full_name
            organisation = person.organisation
            rows.append([str(number), pdf.para(who, style.body),
                         pdf.para(organisation.acronym or organisation.name, style.small), "", ""])
        for number in range(len(registrations) + 1, len(registrations) + 1 + BLANK_ROWS):
            rows.append([str(number), "", "", "", ""])
        table = Table(rows, colWidths=[9 * mm, 58 * mm, 42 * mm, 20 * mm, 45 * mm], repeatRows=1,
                      rowHeights=[None] + [10 * mm] * (len(rows) - 1))
        table.setStyle(pdf.table_style(("VALIGN", (0, 1), (-1, -1), "MIDDLE")))
        story.append(table)
    footer = _("%(title)s — attendance sheet") % {"title": session.title}
    return pdf.build(story, title=str(_("Attendance sheet")), footer=footer)


def certificate_pdf(*, certificate, verify_url: str) -> bytes:
    """The participant's certificate: name (initials in a protected session), session, dates, hours
    (days attended × the session's hours per day), trainers and the verification code with its address."""
    registration = certificate.registration
    session = registration.session
    participant = registration.participant
    attended = registration.attendance.filter(status__in=ATTENDED,  # the session's days only
                                              day__range=(session.start_date, session.end_date)).count()
    hours = attended * session.hours_per_day
    style = pdf.styles()
    name = participant.initials if session.protected else participant.full_name
    trainers = ", ".join(t.user.full_name or t.user.email for t in session.trainers.all()) or "—"
    story: list = [
        Paragraph(pdf.text(_("Certificate of participation")), style.title),
        Spacer(1, 8 * mm),
        pdf.para(_("This certifies that"), style.body),
        pdf.para(name, style.heading),
        pdf.para(_("took part in the training session"), style.body),
        pdf.para(session.title, style.heading),
        pdf.para(_("From %(start)s to %(end)s — %(attended)s, %(hours)s.") % {
            "start": _day(session.start_date), "end": _day(session.end_date),
            # ngettext on each count: "1 jour de présence", "1 heure de formation" (French counts 0 and 1 as one)
            "attended": ngettext("%(days)s day attended", "%(days)s days attended", attended) % {"days": attended},
            "hours": ngettext("%(hours)s hour of training", "%(hours)s hours of training", hours) % {
                "hours": hours}}, style.body),
        pdf.para(_("Trainers: %(names)s") % {"names": trainers}, style.body),
        Spacer(1, 10 * mm),
        pdf.para(_("Verification code: %(code)s") % {"code": certificate.code}, style.small),
        pdf.para(_("Check this certificate at %(url)s") % {"url": verify_url}, style.small),
    ]
    return pdf.build(story, title=str(_("Certificate of participation")), footer=session.title)
