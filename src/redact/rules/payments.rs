//! Payment and finance APIs (Stripe, Square, Braintree, Adyen, Razorpay, Plaid,
//! GoCardless, Checkout.com, Mollie, Flutterwave, Paddle), each from the
//! vendor's documented key format. Paystack's `sk_live_` + 40 hex is Stripe's
//! shape and is found as `stripe_key`. Publishable keys (Stripe `pk_`, Square
//! application ids, Flutterwave `FLWPUBK`) are meant for browsers: left alone.
//! Keywords may be an inner piece of the literal (see `ai.rs`: rare byte pairs
//! keep the keyword pass cheap).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // Stripe secret and restricted keys and webhook signing secrets; the
    // hand-written scanner uses the same id.
    BuiltinRule {
        id: "stripe_key",
        keywords: &["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"],
        pattern: r"\b(?:[rs]k_(?:live|test)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9+/=]{32,})",
        min_entropy: 3.5,
    },
    // Square: access tokens (`EAAA` + 60), legacy OAuth access tokens
    // (`sq0atp-` + 22) and application secrets (`sq0csp-` + 43).
    BuiltinRule {
        id: "square_access_token",
        keywords: &["eaaa", "sq0atp-"],
        pattern: r"\b(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22})\b{end-half}",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "square_oauth_secret",
        keywords: &["sq0csp-"],
        pattern: r"\bsq0csp-[A-Za-z0-9_-]{43}\b{end-half}",
        min_entropy: 3.5,
    },
    // Braintree / PayPal access tokens: access_token$<env>$<merchant>$<32 hex>.
    BuiltinRule {
        id: "braintree_access_token",
        keywords: &["access_token$"],
        pattern: r"\baccess_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}\b",
        min_entropy: 0.0,
    },
    // PayPal REST client secrets (80 base64url) next to `paypal` and `secret`.
    BuiltinRule {
        id: "paypal_client_secret",
        keywords: &["paypal"],
        pattern: r"(?i:paypal)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([A-Za-z0-9_-]{80})\b{end-half}",
        min_entropy: 4.0,
    },
    // Adyen API keys start `AQE` and run on in base64 with `-`-joined parts.
    BuiltinRule {
        id: "adyen_api_key",
        keywords: &["aqe"],
        pattern: r"\b(AQE[A-Za-z0-9+/=_.-]{90,250})(?:[^A-Za-z0-9+/=_.-]|\z)",
        min_entropy: 4.5,
    },
    // Razorpay key ids (`rzp_live_`/`rzp_test_` + 14) and key secrets (24)
    // next to `razorpay`.
    BuiltinRule {
        id: "razorpay_key_id",
        keywords: &["rzp_live_", "rzp_test_"],
        pattern: r"\b{start-half}rzp_(?:live|test)_[A-Za-z0-9]{14}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "razorpay_key_secret",
        keywords: &["razorpay"],
        pattern: r"(?i:razorpay)[\w .-]{0,30}(?i:secret)[^\n]{0,20}?\b([A-Za-z0-9]{24})\b",
        min_entropy: 3.8,
    },
    // Plaid access tokens (`access-<env>-<uuid>`) and secrets (30 hex) by name.
    BuiltinRule {
        id: "plaid_access_token",
        keywords: &[
            "access-sandbox-",
            "access-development-",
            "access-production-",
        ],
        pattern: r"\baccess-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "plaid_secret",
        keywords: &["plaid"],
        pattern: r"(?i:plaid)[^\n]{0,60}?\b([a-f0-9]{30})\b",
        min_entropy: 3.0,
    },
    // GoCardless access tokens: `live_`/`sandbox_` + 40 base64url.
    BuiltinRule {
        id: "gocardless_access_token",
        keywords: &["live_", "sandbox_"],
        pattern: r"\b(?:live|sandbox)_[A-Za-z0-9_-]{40}\b{end-half}",
        min_entropy: 4.2,
    },
    // Checkout.com: secret keys `sk_sbox_` + base32 (sandbox) or `sk_` + base32,
    // and the older `sk_test_<uuid>` / `sk_<uuid>` form.
    BuiltinRule {
        id: "checkout_secret_key",
        keywords: &["sk_"],
        pattern: r"\bsk_(?:sbox_[a-z2-7]{26,32}|[a-z2-7]{26,32}|(?:test_)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        min_entropy: 3.5,
    },
    // Mollie live API keys (`live_` + 30; test keys take no payments and
    // `test_` is everywhere in code) and organisation access tokens (`access_` + 40).
    BuiltinRule {
        id: "mollie_api_key",
        keywords: &["live_"],
        pattern: r"\blive_[A-Za-z0-9]{30}\b",
        min_entropy: 4.2,
    },
    BuiltinRule {
        id: "mollie_access_token",
        keywords: &["access_"],
        pattern: r"\baccess_[A-Za-z0-9]{40}\b",
        min_entropy: 4.2,
    },
    // Flutterwave secret keys (`FLWSECK-`/`FLWSECK_TEST-` + 32 hex + `-X`) and
    // encryption keys (`FLWSECK_TEST` + 12 hex).
    BuiltinRule {
        id: "flutterwave_secret_key",
        keywords: &["lwseck"],
        pattern: r"\bFLWSECK(?:_TEST)?-[a-fA-F0-9]{32}-X\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "flutterwave_encryption_key",
        keywords: &["lwseck_test"],
        pattern: r"\bFLWSECK_TEST[a-fA-F0-9]{12}\b",
        min_entropy: 0.0,
    },
    // Paddle Billing API keys.
    BuiltinRule {
        id: "paddle_api_key",
        keywords: &["pdl_live_", "pdl_sdbx_"],
        pattern: r"\b{start-half}pdl_(?:live|sdbx)_apikey_[A-Za-z0-9_]{40,}",
        min_entropy: 3.5,
    },
];
