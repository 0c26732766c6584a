//! SaaS and business-platform tokens (commerce, productivity, CRM, analytics,
//! feature flags, forms, storage, shipping, maps), each from the vendor's
//! documented token format. Keys meant for browsers (Mapbox `pk.`, LaunchDarkly
//! `mob-`) are left alone; PostHog project keys (`phc_`) are public too but
//! often sit next to the personal ones, so they are taken.
//! Keywords may be an inner piece of the literal (see `ai.rs`: rare byte pairs
//! keep the keyword pass cheap).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // Shopify: admin API access tokens (`shpat_`), custom-app (`shpca_`) and
    // private-app (`shppa_`) tokens, app shared secrets (`shpss_`): 32 hex.
    BuiltinRule {
        id: "shopify_access_token",
        keywords: &["shpat_", "shpca_", "shppa_"],
        pattern: r"\b{start-half}shp(?:at|ca|pa)_[a-fA-F0-9]{32}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "shopify_shared_secret",
        keywords: &["shpss_"],
        pattern: r"\b{start-half}shpss_[a-fA-F0-9]{32}\b",
        min_entropy: 3.0,
    },
    // Notion integration tokens: `ntn_` (current) and `secret_` + 43 (legacy).
    BuiltinRule {
        id: "notion_token",
        keywords: &["tn_"],
        pattern: r"\b{start-half}ntn_[A-Za-z0-9]{40,50}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "notion_legacy_token",
        keywords: &["secret_"],
        pattern: r"\b{start-half}secret_[A-Za-z0-9]{43}\b",
        min_entropy: 4.2,
    },
    // Airtable personal access tokens: `pat` + 14 . 64 hex; legacy API keys
    // (`key` + 14) only next to `airtable`.
    BuiltinRule {
        id: "airtable_pat",
        keywords: &["pat"],
        pattern: r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "airtable_api_key",
        keywords: &["airtable"],
        pattern: r"(?i:airtable)[^\n]{0,60}?\b(key[A-Za-z0-9]{14})\b",
        min_entropy: 3.3,
    },
    // Asana personal access tokens: `1/<user id>:<32 hex>` or
    // `2/<user id>/<token id>:<32 hex>`, next to `asana`.
    BuiltinRule {
        id: "asana_pat",
        keywords: &["asana"],
        pattern: r"(?i:asana)[^\n]{0,60}?\b([12]/\d{6,20}(?:/\d{6,20})?:[a-f0-9]{32})\b",
        min_entropy: 0.0,
    },
    // ClickUp personal tokens: `pk_<user id>_<32 upper-case alphanumerics>`.
    BuiltinRule {
        id: "clickup_token",
        keywords: &["pk_"],
        pattern: r"\bpk_\d{5,12}_[A-Z0-9]{32}\b",
        min_entropy: 3.0,
    },
    // HubSpot private-app tokens: `pat-<region><n>-<uuid>`; legacy API keys
    // (UUIDs) next to `hubspot` / `hapikey`.
    BuiltinRule {
        id: "hubspot_private_app_token",
        keywords: &["pat-"],
        pattern: r"\bpat-(?:na|eu|ap)\d-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "hubspot_api_key",
        keywords: &["hubspot", "hubapi"],
        pattern: r"(?i:hubspot|hapikey)[^\n]{0,60}?\b([a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})\b",
        min_entropy: 0.0,
    },
    // Salesforce session / access tokens: the org id (`00D` + 12 or 15) `!` the token.
    BuiltinRule {
        id: "salesforce_access_token",
        keywords: &["00d"],
        pattern: r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "zendesk_api_token",
        keywords: &["zendesk"],
        pattern: r"(?i:zendesk)[^\n]{0,60}?\b([A-Za-z0-9]{40})\b",
        min_entropy: 4.2,
    },
    // Intercom access tokens are base64 of `tok:…`.
    BuiltinRule {
        id: "intercom_access_token",
        keywords: &["g9ro"],
        pattern: r"\bdG9rO[ij][A-Za-z0-9+/_-]{40,}={0,2}",
        min_entropy: 4.0,
    },
    // Segment public-API tokens (`sgp_`); write keys (32) next to `segment`.
    BuiltinRule {
        id: "segment_api_token",
        keywords: &["sgp_"],
        pattern: r"\b{start-half}sgp_[A-Za-z0-9]{64}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "segment_write_key",
        keywords: &["segment"],
        pattern: r"(?i:segment)[\w .-]{0,20}(?i:write)[^\n]{0,30}?\b([A-Za-z0-9]{32})\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "mixpanel_secret",
        keywords: &["mixpanel"],
        pattern: r"(?i:mixpanel)[\w .-]{0,30}(?i:secret|token)[^\n]{0,20}?\b([A-Za-z0-9]{32})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "amplitude_api_key",
        keywords: &["amplitude"],
        pattern: r"(?i:amplitude)[\w .-]{0,30}(?i:key|secret)[^\n]{0,20}?\b([a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
    // PostHog project API keys (`phc_`) and personal API keys (`phx_`).
    BuiltinRule {
        id: "posthog_project_key",
        keywords: &["hc_"],
        pattern: r"\b{start-half}phc_[A-Za-z0-9]{43}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "posthog_personal_key",
        keywords: &["hx_"],
        pattern: r"\b{start-half}phx_[A-Za-z0-9]{43}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "typeform_token",
        keywords: &["fp_"],
        pattern: r"\b{start-half}tfp_[A-Za-z0-9_.=-]{40,}",
        min_entropy: 4.0,
    },
    // Dropbox short-lived access tokens (`sl.` / `sl.u.` + 130+); long-lived
    // tokens (11 + ten `A` + 43) next to `dropbox`.
    BuiltinRule {
        id: "dropbox_access_token",
        keywords: &["sl."],
        pattern: r"\bsl\.(?:u\.)?[A-Za-z0-9_-]{100,}",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "dropbox_long_lived_token",
        keywords: &["dropbox"],
        pattern: r"(?i:dropbox)[^\n]{0,60}?\b([A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_-]{43})",
        min_entropy: 0.0,
    },
    // Lob live API keys: `live_` + 35 hex (publishable `_pub_` keys left; test
    // keys, which cannot send mail, are left too: `test_` is everywhere in code).
    BuiltinRule {
        id: "lob_api_key",
        keywords: &["live_"],
        pattern: r"\blive_[a-f0-9]{35}\b",
        min_entropy: 3.0,
    },
    // EasyPost production (`EZAK`) and test (`EZTK`) keys.
    BuiltinRule {
        id: "easypost_api_key",
        keywords: &["ezak", "eztk"],
        pattern: r"\bEZ[AT]K[A-Za-z0-9]{54}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "shippo_api_token",
        keywords: &["shippo_"],
        pattern: r"\b{start-half}shippo_(?:live|test)_[a-f0-9]{40}\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "duffel_api_token",
        keywords: &["duffel_"],
        pattern: r"\b{start-half}duffel_(?:live|test)_[A-Za-z0-9_=-]{40,}",
        min_entropy: 3.5,
    },
    // Mapbox secret (`sk.`) and temporary (`tk.`) tokens: a JWT-like `eyJ…`
    // body; public `pk.` tokens are meant for browsers and left alone.
    BuiltinRule {
        id: "mapbox_secret_token",
        keywords: &["k.eyj"],
        pattern: r"\b[st]k\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}",
        min_entropy: 3.5,
    },
];
