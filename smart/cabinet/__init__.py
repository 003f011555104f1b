"""The web cabinet: sign-in, tenancy, the dashboard framework and the pages dealers use (issue: web cabinet)."""
