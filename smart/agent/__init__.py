"""Client-side agent bundles: the smartupload / smartstatus scripts generated per installation (D §3.5, §5.5)."""
