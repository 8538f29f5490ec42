"""Readers of training, by topic: sessions (sessions.py) and capacity assessments (assessments.py).
The session readers are re-exported here, where the session views and services look them up."""

from .sessions import (
    SEARCH_LIMIT,
    GridRow,
    access_material,
    access_session,
    attendance_grid,
    award_choices,
    call_choices,
    commune_choices,
    fold,
    invited_names,
    organisation_choices,
    participant_label,
    participant_search,
    participants_page,
    region_choices,
    registrations_of,
    session_list,
    session_participants,
    session_rows,
    session_summary,
    topic_list,
    trainer_choices,
    trainer_names,
)

__all__ = [
    "SEARCH_LIMIT", "GridRow", "access_material", "access_session", "attendance_grid", "award_choices", "call_choices",
    "commune_choices", "fold", "organisation_choices", "participant_label", "participant_search", "region_choices",
    "registrations_of", "session_list", "session_participants", "session_rows",
    "session_summary", "topic_list", "trainer_choices", "trainer_names", "invited_names", "participants_page",
]
