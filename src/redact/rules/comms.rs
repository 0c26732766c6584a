//! Messaging, email, chat and social platforms: bot tokens, incoming-webhook
//! URLs (whoever holds the URL can post, so its secret path segment is the
//! credential and the host and ids are kept), email-API keys and social-media
//! access tokens, each from the vendor's documented token format.
//!
//! Formats without a prefix (Twilio auth tokens, Pusher secrets, ...) are only
//! taken next to the vendor's name on the same line.
//! Keywords may be an inner piece of the literal (see `ai.rs`: rare byte pairs
//! keep the keyword pass cheap).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // https://discord.com/api/webhooks/<snowflake id>/<68-character token>
    BuiltinRule {
        id: "discord_webhook",
        keywords: &["api/webhooks/"],
        pattern: r"(?i:https?://(?:ptb\.|canary\.)?discord(?:app)?\.com)/api/webhooks/\d{17,20}/([A-Za-z0-9_-]{60,80})",
        min_entropy: 3.5,
    },
    // base64(user id) . base64(timestamp) . HMAC: next to `discord` or after
    // the `Bot` authorization scheme.
    BuiltinRule {
        id: "discord_bot_token",
        keywords: &["scord", "bot "],
        pattern: r"(?:(?i:discord)[^\n]{0,80}?|\bBot +)\b([MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})",
        min_entropy: 3.5,
    },
    // <bot id>:AA<33 base64url characters>
    BuiltinRule {
        id: "telegram_bot_token",
        keywords: &[":aa"],
        pattern: r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b{end-half}",
        min_entropy: 0.0,
    },
    // Workflow Builder triggers and workflow webhooks (`/services/` incoming
    // webhooks are the hand-written scanner's): the last segment is the secret.
    BuiltinRule {
        id: "slack_webhook",
        keywords: &["hooks.slack.com/triggers/", "hooks.slack.com/workflows/"],
        pattern: r"hooks\.slack\.com/(?:triggers/T[A-Z0-9]{8,12}/\d{8,16}|workflows/T[A-Z0-9]{8,12}/A[A-Z0-9]{8,12}/\d{8,20})/([A-Za-z0-9]{24,32})\b",
        min_entropy: 3.0,
    },
    // App configuration tokens: `xoxe.xoxp-1-…` / `xoxe.xoxb-1-…`.
    BuiltinRule {
        id: "slack_config_token",
        keywords: &["xoxe.xox"],
        pattern: r"\b{start-half}xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}",
        min_entropy: 3.5,
    },
    // Microsoft Teams incoming webhooks (Office 365 connectors):
    // …/webhookb2/<group>@<tenant>/IncomingWebhook/<32 alnum>/<uuid>[/<suffix>]
    BuiltinRule {
        id: "teams_webhook",
        keywords: &["comingwebhook/"],
        pattern: r"(?i:webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook)/[0-9a-f-]{36}@[0-9a-f-]{36}/IncomingWebhook/([A-Za-z0-9]{32}/[0-9a-f-]{36}(?:/[A-Za-z0-9_-]{20,})?)",
        min_entropy: 3.0,
    },
    // Mattermost incoming webhooks: /hooks/<26-character id>.
    BuiltinRule {
        id: "mattermost_webhook",
        keywords: &["/hooks/"],
        pattern: r"https?://[^\s/]+/hooks/([a-z0-9]{26})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "mattermost_token",
        keywords: &["attermost"],
        pattern: r"(?i:mattermost)[^\n]{0,60}?\b([a-z0-9]{26})\b",
        min_entropy: 3.8,
    },
    // Zapier catch hooks, Make (Integromat) scenario hooks, IFTTT Maker keys.
    BuiltinRule {
        id: "zapier_webhook",
        keywords: &["hooks.zapier.com/hooks/catch/"],
        pattern: r"hooks\.zapier\.com/hooks/catch/\d+/([a-z0-9]{5,})",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "make_webhook",
        keywords: &["ake.com/"],
        pattern: r"\bhook\.[a-z0-9]+\.make\.com/([a-z0-9]{32})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "ifttt_webhook_key",
        keywords: &["aker.ifttt.com"],
        pattern: r"maker\.ifttt\.com/(?:trigger/[^/\s]+/(?:json/)?with/)?key/([A-Za-z0-9_-]{20,})",
        min_entropy: 3.0,
    },
    // OAuth tokens (30 lowercase alphanumerics; `oauth:` for chat).
    BuiltinRule {
        id: "twitch_token",
        keywords: &["twitch"],
        pattern: r"(?i:twitch)[^\n]{0,60}?\b(?:oauth:)?([a-z0-9]{30})\b",
        min_entropy: 3.8,
    },
    // X / Twitter app-only bearer tokens start with a run of `A`s (URL-encoded).
    BuiltinRule {
        id: "twitter_bearer_token",
        keywords: &["aaaaaaaaaaaaaaaaaaaa"],
        pattern: r"\bA{20}[A-Za-z0-9%]{60,}",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "twitter_api_secret",
        keywords: &["twitter"],
        pattern: r"(?i:twitter)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([A-Za-z0-9]{50})\b",
        min_entropy: 4.2,
    },
    // Meta (Facebook) Graph API access tokens: `EAA` and the app's letters.
    BuiltinRule {
        id: "facebook_access_token",
        keywords: &["eaa"],
        pattern: r"\bEAA[A-Za-z0-9]{80,}",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "facebook_app_secret",
        keywords: &["facebook", "fb_"],
        pattern: r"(?i:facebook|fb_)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    // Instagram Basic Display user tokens.
    BuiltinRule {
        id: "instagram_access_token",
        keywords: &["gqv"],
        pattern: r"\bIGQV[A-Za-z0-9_-]{100,}",
        min_entropy: 4.0,
    },
    // LinkedIn client secrets (current format).
    BuiltinRule {
        id: "linkedin_client_secret",
        keywords: &["wpl_ap"],
        pattern: r"\bWPL_AP\d\.[A-Za-z0-9]{8,}\.[A-Za-z0-9+/]{4,}={0,2}",
        min_entropy: 3.5,
    },
    // Twilio: API key SIDs (`SK`), account SIDs (`AC`) and 32-hex auth tokens,
    // next to `twilio` (the SIDs alone are ids; with the name they name an account).
    BuiltinRule {
        id: "twilio_api_key",
        keywords: &["twilio"],
        pattern: r"(?i:twilio)[^\n]{0,80}?\b(SK[a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "twilio_account_sid",
        keywords: &["twilio"],
        pattern: r"(?i:twilio)[^\n]{0,80}?\b(AC[a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "twilio_auth_token",
        keywords: &["twilio"],
        pattern: r"(?i:twilio)[^\n]{0,80}?\b([a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "vonage_api_secret",
        keywords: &["vonage", "nexmo"],
        pattern: r"(?i:vonage|nexmo)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([A-Za-z0-9]{16})\b",
        min_entropy: 3.3,
    },
    BuiltinRule {
        id: "messagebird_api_key",
        keywords: &["sagebird", "sage_bird"],
        pattern: r"(?i:message_?bird)[^\n]{0,60}?\b([A-Za-z0-9]{25})\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "pushover_token",
        keywords: &["pushover"],
        pattern: r"(?i:pushover)[^\n]{0,60}?\b([A-Za-z0-9]{30})\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "pusher_secret",
        keywords: &["pusher"],
        pattern: r"(?i:pusher)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([a-f0-9]{20})\b",
        min_entropy: 3.0,
    },
    // Ably: <app id>.<key id>:<43-character secret>.
    BuiltinRule {
        id: "ably_api_key",
        keywords: &["ably"],
        pattern: r"(?i:ably)[^\n]{0,60}?\b([A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{6}:[A-Za-z0-9_-]{43})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "agora_app_certificate",
        keywords: &["agora"],
        pattern: r"(?i:agora)[^\n]{0,60}?\b([a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    // Email: SendGrid `SG.<22>.<43>`, Mailgun `key-<32 hex>` and
    // `<32 hex>-<8 hex>-<8 hex>`, Mailchimp `<32 hex>-us<n>`, Postmark server
    // tokens (UUIDs, by name), Brevo `xkeysib-`/`xsmtpsib-`, Resend `re_<8>_<24>`.
    BuiltinRule {
        id: "sendgrid_api_key",
        keywords: &["sg."],
        pattern: r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b{end-half}",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "mailgun_api_key",
        keywords: &["ey-"],
        pattern: r"\bkey-[a-f0-9]{32}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "mailgun_private_key",
        keywords: &["lgun"],
        pattern: r"(?i:mailgun)[^\n]{0,80}?\b([a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "mailchimp_api_key",
        keywords: &["-us"],
        pattern: r"\b[a-f0-9]{32}-us\d{1,2}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "postmark_server_token",
        keywords: &["tmark"],
        pattern: r"(?i:postmark)[^\n]{0,60}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "brevo_api_key",
        keywords: &["xkeysib-"],
        pattern: r"\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "brevo_smtp_key",
        keywords: &["xsmtpsib-"],
        pattern: r"\bxsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "resend_api_key",
        keywords: &["re_"],
        pattern: r"\b{start-half}re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}\b",
        min_entropy: 3.8,
    },
];
