/// Every setting, by its environment variable (DESIGN.md §4). Each is also a `serve` flag and a line of the
/// configuration file (`SESAME_…=value`).
enum ConfigurationKey: String, CaseIterable, Sendable {
    case dataDirectory = "SESAME_DATA_DIR"
    case databaseURL = "SESAME_DATABASE_URL"
    case host = "SESAME_HOST"
    case port = "SESAME_PORT"
    case publicURL = "SESAME_PUBLIC_URL"
    case secretFile = "SESAME_SECRET_FILE"
    case trustedProxies = "SESAME_TRUSTED_PROXIES"
    case smtpURL = "SESAME_SMTP_URL"
    case mailFrom = "SESAME_MAIL_FROM"
    case smsProvider = "SESAME_SMS_PROVIDER"
    case smsWebhookURL = "SESAME_SMS_WEBHOOK_URL"
    case smsWebhookSecret = "SESAME_SMS_WEBHOOK_SECRET"
    case twilioAccountSID = "SESAME_TWILIO_ACCOUNT_SID"
    case twilioAuthToken = "SESAME_TWILIO_AUTH_TOKEN"
    case twilioFrom = "SESAME_TWILIO_FROM"
    case twilioBaseURL = "SESAME_TWILIO_BASE_URL"
    case ldapURL = "SESAME_LDAP_URL"
    case ldapBindDN = "SESAME_LDAP_BIND_DN"
    case ldapBindPassword = "SESAME_LDAP_BIND_PASSWORD"
    case ldapBaseDN = "SESAME_LDAP_BASE_DN"
    case ldapUserFilter = "SESAME_LDAP_USER_FILTER"
    case ldapKind = "SESAME_LDAP_KIND"
    case ldapLoginAttribute = "SESAME_LDAP_LOGIN_ATTRIBUTE"
    case environment = "SESAME_ENV"

    /// Where the configuration file is named; read from flags and environment only.
    static let configFileVariable = "SESAME_CONFIG_FILE"
}
