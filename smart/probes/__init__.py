"""Active collection: probes, pulls of sysinfo and sysmon metrics, online-access scraping, scheduler."""
