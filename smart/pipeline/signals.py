"""Signals of the pipeline.

`report_processed` is sent once a report's outcome is stored, whatever it is: facts stored ("ok"), held
as an identity mismatch, a parse failure (an error page among them), or, from ingest, an empty upload that
never reaches processing. Arguments: installation, report, status (the report's new status) and at
(the report's own time, None when it has none). It is sent after processing's own transaction: a
worker runs in autocommit, so the facts are committed by then; a caller that wraps processing in its
own transaction shares the connection with the receivers, which therefore see the same data.
"""
from django.dispatch import Signal

report_processed = Signal()
