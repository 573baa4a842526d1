"""Tables, and nothing else: every table of the application, by subject. Times are stored in UTC;
people are contacts with channel identities."""
from store.models.columns import aware, utcnow
from store.models.people import (ChannelIdentity, Consent, Contact, ConversationState, ProcessedUpdate,
                                 Registration)
from store.models.bookings import (ACTIVE_BOOKING, ACTIVE_SEAT, InterviewBooking, InterviewSlot,
                                   WorkshopRegistration, WorkshopSession)
from store.models.messaging import Broadcast, OutboxMessage, OutboxPace
from store.models.programme import ProgrammeEvent
from store.models.companies import Candidate, Company, Vacancy
from store.models.linking import LinkAttempt, LinkCode
from store.models.info import InfoText
from store.models.channel_state import ChannelListPage
from store.models.documents import PersonDocument
from store.models.inbox import InboxCannedReply, InboxConversation, InboxMessage
from store.models.office import (ROLES, OfficeAudit, OfficeLoginThrottle, OfficeOperator, OfficeSecret,
                                 OfficeSession)

__all__ = [
    "aware", "utcnow", "ChannelIdentity", "Consent", "Contact", "ConversationState", "ProcessedUpdate",
    "Registration", "ACTIVE_BOOKING", "ACTIVE_SEAT", "InterviewBooking", "InterviewSlot",
    "WorkshopRegistration", "WorkshopSession", "Broadcast", "OutboxMessage", "OutboxPace",
    "ProgrammeEvent", "LinkAttempt", "LinkCode", "ROLES", "OfficeAudit", "OfficeLoginThrottle",
    "OfficeOperator", "OfficeSecret", "OfficeSession", "ChannelListPage",
    "Candidate", "Company", "Vacancy", "PersonDocument", "InfoText",
    "InboxCannedReply", "InboxConversation", "InboxMessage",
]
