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
