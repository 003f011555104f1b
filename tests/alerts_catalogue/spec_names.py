"""Alert names typed from the spec (D §1.4 table rows 1–58, #52 repeating #32), so a missing one fails."""

D_1_4 = [
    # 1.4.1 Database and operup errors
    "KodeksDBerrorsNoCode", "KodeksDBerrorsNoCodeCount", "KodeksDBerrorsCode2007", "KodeksDBerrorsCode2007Count",
    "KodeksDBerrorsCodeXXX", "KodeksDBerrorsCodeXXXCount", "KodeksDBOperUpToOld", "KodeksDBOperUpToOldCount",
    # 1.4.2 Network availability
    "KodeksBehindProxyDown", "KodeksHttp200Status", "KodeksHttp200StatusCount", "KodeksIcmp", "KodeksIcmpCount",
    "KodeksTcpStatus", "KodeksTcpStatusCount",
    # 1.4.3 Simple online accesses
    "OnlineBillingDocsLeft150", "OnlineBillingDocsLeft50", "OnlineBillingDocsLeftZero",
    "OnlineBillingPrintLeft150", "OnlineBillingPrintLeft50", "OnlineBillingPrintLeftZero",
    "OnlineBillingSearchLeft150", "OnlineBillingSearchLeft50", "OnlineBillingSearchLeftZero",
    "OnlineBillingUploadLeft150", "OnlineBillingUploadLeft50", "OnlineBillingUploadLeftZero",
    "OnlineLoginFailed", "OnlineUserActivityIsLow10", "OnlineUserActivityIsLow20", "OnlineUserActivityIsLow30",
    "KodeksSearchIsEmpty",
    # 1.4.4 Maintenance and servicing states
    "KodeksMaintenance", "KodeksMaintenanceCount", "KodeksNeedSupport", "KodeksMaintenanceToLong",
    "KodeksMaintenanceToLongCount",
    # 1.4.5 Licence manager
    "LicmanIcmp", "LicmanTcpStatus",
    # 1.4.6 SenseLock
    "KodeksOfflineSensLockCheck", "KodeksOnlineSensLockCheck", "KodeksXmlSensLockStatus",
    # 1.4.7 Licence, reg-file and seats
    "KodeksDetectOverUserError", "KodeksLicenseExpiring2day", "KodeksLicenseExpiring7day",
    "KodeksLicenseExpiring90day", "KodeksLimitsUsers", "KodeksUnsupportedButUsed",
    # 1.4.8 Users and their work (#52 is KodeksSearchIsEmpty again)
    "KodeksNewUser", "KodeksUserActivityIsLow", "KodeksUserAInvolvementIsLow", "KodeksSearchError",
    # 1.4.9 Other
    "KodeksAuthNotWork", "KodeksSppStatus", "KodeksWarning", "SmartXMLfileIsToOld", "KodeksDBLicensesZero",
]

D_COUNTS = [  # D §1.4 "Totals": the 9 documented Count variants
    "KodeksDBerrorsNoCodeCount", "KodeksDBerrorsCode2007Count", "KodeksDBerrorsCodeXXXCount",
    "KodeksDBOperUpToOldCount", "KodeksHttp200StatusCount", "KodeksIcmpCount", "KodeksTcpStatusCount",
    "KodeksMaintenanceCount", "KodeksMaintenanceToLongCount",
]

PROPOSED = [  # D §1.4 [P] Count twins and additions, §3.3, §4
    "KodeksBehindProxyDownCount", "SmartXMLfileIsToOldCount", "KodeksSharedLogin", "KodeksDiskSpaceLow",
    "OnlineServerUnreachable", "OnlineServerUnreachableCount", "OnlineRepeatedExhaustion", "OnlineNoLoginNDays",
    "ClockSkew", "CollectorErrorPage", "IdentityMismatch", "SmartStatusIsToOld", "VersionChangedThenSilent",
    "SmartScraperConsumedUnits",
]

ALIASES = {  # D §1.4 "Legacy or alias names" and the mail folders of D §1.2
    "KodeksDBerrorsCode1": "KodeksDBerrorsNoCode",
    "KodeksDBerrorsCode1Count": "KodeksDBerrorsNoCodeCount",
    "XMLfieldsToOld": "SmartXMLfileIsToOld",
    "UserAInvolvmennIsLow": "KodeksUserAInvolvementIsLow",
    "SearchEmpty": "KodeksSearchIsEmpty",
    "OnlineBillingSearch150": "OnlineBillingSearchLeft150",
    "OnlineBillingSearch50": "OnlineBillingSearchLeft50",
    "OnlineBillingSearch500": "OnlineBillingSearchLeft50",
    "KodeksDBerrorsNOCodeCount": "KodeksDBerrorsNoCodeCount",
    "AuthNotWork": "KodeksAuthNotWork",
    "BehindProxyDown": "KodeksBehindProxyDown",
    "Maintance": "KodeksMaintenance",
    "Http200Status": "KodeksHttp200Status",
    "SharedLogin": "KodeksSharedLogin",
    "DiskSpaceLow": "KodeksDiskSpaceLow",
}
