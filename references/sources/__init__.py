"""Upstream HTTP clients (PubMed E-utilities, Crossref): bytes and JSON in, no parsing.

XML parsing lives in references/parsers/; these modules only talk HTTP, retry what can
heal, and keep to each service's published rate limits. Their settings come from
config.upstream_config(), the only module here that knows about Django.
"""

from .config import UpstreamConfig, upstream_config
from .crossref import CrossrefClient
from .http import UpstreamBadResponse, UpstreamError, UpstreamUnavailable
from .pubmed import PubMedClient

__all__ = [
    "CrossrefClient",
    "PubMedClient",
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamConfig",
    "UpstreamUnavailable",
    "upstream_config",
]
