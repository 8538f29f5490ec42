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
    "EDITABLE_STATUSES", "FINAL_STATUSES", "Application", "ApplicationAttachment", "ApplicationStatus",
    "ApplicationVersion", "BudgetCategory", "BudgetLine", "Call", "CallStatus", "ConflictOfInterest",
    "EligibilityAnswer", "EligibilityQuestion", "QuestionKind", "Recommendation", "ReferenceSequence",
    "RequiredAttachment", "Review", "ReviewScore", "ReviewStatus", "RubricCriterion", "TimelineActivity",
]
