"""Pure parsers of the external report formats (sysinfo XML/SQLite, zip, .status); no Django here."""
