"""One handler per wire method (and per proposed extension), registered by name in METHODS."""

from . import invoices, jobs, media, organization, parts, procurements
from .registry import METHODS, Call, Method

__all__ = ["METHODS", "Call", "Method", "invoices", "jobs", "media", "organization", "parts", "procurements"]
