from .applications import (
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    BudgetLine,
    EligibilityAnswer,
    ReferenceSequence,
    TimelineActivity,
)
from .calls import (
    SCORE_LEVELS,
    BudgetCategory,
    Call,
    CallStatus,
    EligibilityQuestion,
    QuestionKind,
    RequiredAttachment,
    RubricCriterion,
)
from .reviews import ConflictOfInterest, Recommendation, Review, ReviewScore, ReviewStatus

__all__ = [
    "EDITABLE_STATUSES", "SCORE_LEVELS", "FINAL_STATUSES", "Application", "ApplicationAttachment", "ApplicationStatus",
    "ApplicationVersion", "BudgetCategory", "BudgetLine", "Call", "CallStatus", "ConflictOfInterest",
    "EligibilityAnswer", "EligibilityQuestion", "QuestionKind", "Recommendation", "ReferenceSequence",
    "RequiredAttachment", "Review", "ReviewScore", "ReviewStatus", "RubricCriterion", "TimelineActivity",
]
