"""Every way a report can fail to parse: one stable status string each, described in one line.

Ingest records `ParseFailure.status` as the report's parse status and shows the description to people,
so the strings are a public contract: add new ones, never rename.
"""

STATUSES: dict[str, str] = {
    "empty": "The upload is empty or holds only HTTP headers: the collector wrote no report.",
    "error_page": "The collector saved an HTML or HTTP error page (e.g. 401, 503) instead of the report.",
    "unknown_content": "The content is none of zip, XML, SQLite or Prometheus text.",
    "too_large": "The upload exceeds the size limit before unpacking.",
    "truncated": "The file ends prematurely (cut-off upload): zip directory, XML end or SQLite pages missing.",
    "zip_corrupt": "The zip archive is damaged: bad CRC, inconsistent headers or undecodable member data.",
    "zip_unsupported": "The zip member is encrypted or uses an unsupported compression method.",
    "zip_bomb": "The zip exceeds the member-count, unpacked-size or compression-ratio limit.",
    "nested_archive": "The zip contains another archive; nested archives are never unpacked.",
    "path_traversal": "A zip member name is absolute or climbs out of the archive with '..'.",
    "multiple_reports": "The zip holds more than one sysinfo member, so which one to use is ambiguous.",
    "not_sysinfo": "The content is well-formed XML or SQLite but not a sysinfo report (wrong root or tables).",
    "xml_bomb": "The XML declares entities in its DTD or exceeds parser resource limits (entity-expansion bomb).",
    "external_entity": "The XML refers to an external entity or external DTD; nothing was fetched.",
    "malformed_xml": "The XML is not well-formed.",
    "bad_encoding": "The bytes do not match the declared (or default UTF-8) encoding, or it is unsupported.",
    "bad_header": "The sysinfo header lacks a valid report generation time.",
    "sqlite_bad_header": "The SQLite header is forged or inconsistent (page size, versions, payload fractions).",
    "sqlite_corrupt": "The SQLite database fails its integrity check or cannot be read.",
    "sqlite_too_large": "The SQLite database exceeds the size, page-count or query-work limit.",
    "malformed_metrics": "The .status body is not valid Prometheus text exposition.",
}

# Statuses that mean "the collector script uploaded something that is not a report" (D §3.5 X6, E3):
# ingest raises CollectorErrorPage for these instead of treating them as broken reports.
COLLECTOR_ERRORS = frozenset({"empty", "error_page"})


# What to tell the dealer when the collector saved an HTTP error instead of the report (E3).
HTTP_HINTS: dict[int, str] = {
    401: "grant sysinfo / sysmon access to the user the script logs in as (or check its password)",
    403: "grant sysinfo / sysmon access to the user the script logs in as",
    404: "wrong address, port or path in the collector script",
    502: "the reverse proxy in front of K/TE gets no answer from it",
    503: "K/TE is in maintenance or not started; the script should avoid this window",
    504: "the reverse proxy in front of K/TE timed out",
}


class ParseFailure(Exception):
    """A report could not be parsed; `status` is one of STATUSES, `detail` says where and why."""

    def __init__(self, status: str, detail: str = "", *, http_status: int | None = None):
        if status not in STATUSES:
            raise ValueError(f"unknown parse status {status!r}")
        self.status = status
        self.detail = detail
        self.http_status = http_status
        super().__init__(f"{status}: {detail}" if detail else status)

    @property
    def description(self) -> str:
        """The one-line English meaning of the status."""
        return STATUSES[self.status]

    @property
    def hint(self) -> str | None:
        """A suggested fix for collector error pages, by HTTP status; None when there is none."""
        return HTTP_HINTS.get(self.http_status) if self.status == "error_page" else None

    @property
    def collector_error(self) -> bool:
        """True when the upload is the collector's error output, not a damaged report."""
        return self.status in COLLECTOR_ERRORS
