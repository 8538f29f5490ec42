from .learning import CERTIFICATE_THRESHOLD_PERCENT, Certificate
from .reach import ReachSnapshot
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
from .settings import TrainingSettings

__all__ = [
    "CERTIFICATE_THRESHOLD_PERCENT", "Certificate",
    "DEFAULT_TOPICS", "Attendance", "AttendanceStatus", "Participant", "Registration", "SessionMaterial",
    "SessionStatus", "Topic", "TrainingSession", "TrainingSettings", "ReachSnapshot",
]
from .assessments import (  # noqa: F401
    LEVELS,
    ActionItem,
    ActionItemStatus,
    Assessment,
    AssessmentDomain,
    AssessmentKind,
    AssessmentScore,
    AssessmentStatus,
    AssessmentSubArea,
    LevelDescriptor,
)
