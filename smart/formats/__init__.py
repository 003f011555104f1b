"""Pure parsers of the external report formats (sysinfo XML/SQLite, zip, .status); no Django here.

Public API: `parse_report`, `ParseFailure`, `STATUSES`, `Limits`, the model classes, the writer.
"""
from .errors import STATUSES, ParseFailure
from .limits import Limits
from .mapping import Mapping, MappingError, load_mapping, reference_mapping
from .model import ParsedReport, StatusReport, SysinfoReport
from .parse import parse_report
from .sniff import Sniffed, sniff
from .writer import canonical, sqlite_bytes, write_sqlite, write_xml

__all__ = [
    "STATUSES", "Limits", "Mapping", "MappingError", "ParseFailure", "ParsedReport", "Sniffed", "StatusReport",
    "SysinfoReport", "canonical", "load_mapping", "parse_report", "reference_mapping", "sniff", "sqlite_bytes",
    "write_sqlite", "write_xml",
]
