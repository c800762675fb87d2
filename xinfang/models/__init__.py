"""SQLAlchemy 2 typed models, one module per aggregate."""
from .base import Base, utcnow
from .case import Attachment, Case, CaseEvent, LabelCorrection
from .message import InboundMessage
from .notification import Notification
from .petitioner import Petitioner
from .reference import County, Department, Mailbox, Township
from .staff import ROLE_NAMES, ROLES, ApiToken, AuditEntry, StaffUser
from .supervision import Supervision
from .survey import Survey
from .template import TemplateOverride
from .totals import CaseTotal

__all__ = [
    "ApiToken", "Attachment", "AuditEntry", "Base", "Case", "CaseEvent", "CaseTotal", "County", "Department",
    "InboundMessage", "LabelCorrection", "Mailbox", "Notification", "Petitioner", "ROLES", "ROLE_NAMES",
    "StaffUser", "Supervision", "Survey", "TemplateOverride", "Township", "utcnow",
]
