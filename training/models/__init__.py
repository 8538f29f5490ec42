from .sessions import (
    DEFAULT_TOPICS,
    Attendance,
    AttendanceStatus,
    Participant,
    Registration,
    SessionMaterial,
    SessionStatus,
    Topic,
    TrainingSession,
)

__all__ = [
    "DEFAULT_TOPICS", "Attendance", "AttendanceStatus", "Participant", "Registration", "SessionMaterial",
    "SessionStatus", "Topic", "TrainingSession",
]
