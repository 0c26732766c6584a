//! Built-in rules: cloud providers, hosting platforms, databases-as-a-service and
//! secret managers. Each pattern follows the vendor's documented token shape
//! (prefix, length, alphabet); a format without a distinctive prefix is only
//! taken next to a keyword naming the vendor on the same line (`keyed!`).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // --- AWS -------------------------------------------------------------
    // Unique-ID prefixes from the IAM identifiers reference: access keys
    // (AKIA, ASIA temporary), bearer (ABIA), context-specific (ACCA), group,
    // user, instance profile, managed policy (+ version), role, public key,
    // certificate; 4 + 16 upper-case letters and digits.
    BuiltinRule {
        id: "aws_access_key_id",
        keywords: &[
            "akia", "asia", "abia", "acca", "agpa", "aida", "aipa", "anpa", "anva", "aroa", "apka",
            "asca",
        ],
        pattern: r"\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16})\b",
        min_entropy: 0.0,
    },
    // The 40-character secret under its own (lower-case, credentials-file or
    // CLI) name, even mid-sentence or without `/`/`+` (the bare one is the
    // hand-written detector's; `AWS_SECRET_ACCESS_KEY=` stays an env_secret).
    BuiltinRule {
        id: "aws_secret_access_key",
        keywords: &["secret_access_key", "secretaccesskey", "secret-access-key"],
        pattern: r#"(?:secret_access_key|secretAccessKey|SecretAccessKey|secret-access-key)["']?\s{0,3}(?:=|:|\s)\s{0,3}["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        min_entropy: 3.5,
    },
    // STS session tokens: base64 of a protobuf that starts `\x21\n\torigin_ec`
    // (IQoJb3JpZ2luX2Vj) or, older, `FwoGZXIvYXdz`.
    BuiltinRule {
        id: "aws_session_token",
        keywords: &["iqojb3jpz2lux2vj", "fwogzxivyxdz"],
        pattern: r"\b((?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz)[A-Za-z0-9/+]{80,}={0,2})",
        min_entropy: 0.0,
    },
    // Bedrock long-term API keys: `ABSK` + base64.
    BuiltinRule {
        id: "aws_bedrock_api_key",
        keywords: &["absk"],
        pattern: r"\b(ABSK[A-Za-z0-9+/]{100,}={0,2})",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "amazon_mws_token",
        keywords: &["amzn.mws."],
        pattern: r"\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        min_entropy: 0.0,
    },
    // --- Google ----------------------------------------------------------
    // API keys: `AIza` + 35 URL-safe base64 characters.
    BuiltinRule {
        id: "gcp_api_key",
        keywords: &["aiza"],
        pattern: r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "google_oauth_access_token",
        keywords: &["ya29."],
        pattern: r"\b(ya29\.[0-9A-Za-z_\-]{20,})",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "google_oauth_refresh_token",
        keywords: &["1//0"],
        pattern: r"(?:^|[^\w/])(1//0[0-9A-Za-z_\-]{40,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "google_oauth_client_secret",
        keywords: &["gocspx-"],
        pattern: r"\b(GOCSPX-[0-9A-Za-z_\-]{28})(?:[^0-9A-Za-z_\-]|$)",
        min_entropy: 0.0,
    },
    // Firebase Cloud Messaging legacy server keys: `<id>:APA91b<134>`.
    BuiltinRule {
        id: "firebase_fcm_server_key",
        keywords: &["apa91b"],
        pattern: r"\b(AAAA[A-Za-z0-9_\-]{7}:APA91b[A-Za-z0-9_\-]{100,})",
        min_entropy: 0.0,
    },
    // --- Azure -----------------------------------------------------------
    // Storage account keys in connection strings (`AccountKey=<base64>;`),
    // Service Bus / Event Hubs / IoT (`SharedAccessKey=`).
    BuiltinRule {
        id: "azure_storage_account_key",
        keywords: &["accountkey="],
        pattern: r"(?i)AccountKey=([A-Za-z0-9+/]{40,}={0,2})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "azure_shared_access_key",
        keywords: &["sharedaccesskey="],
        pattern: r"(?i)SharedAccessKey=([A-Za-z0-9+/]{40,}={0,2})",
        min_entropy: 3.5,
    },
    // SAS tokens: the signature `sig=` (base64 HMAC-SHA256, URL-encoded).
    BuiltinRule {
        id: "azure_sas_signature",
        keywords: &["sig="],
        pattern: r"(?i)(?:[?&;]|\bse=[^&\s]*&|^)sig=((?:[A-Za-z0-9+/]|%2[bBfF]){30,}(?:=|%3[dD]){0,2})",
        min_entropy: 3.5,
    },
    // Entra ID (Azure AD) client secrets: 3 characters, a digit and `Q~`,
    // then 31-34 characters.
    BuiltinRule {
        id: "azure_entra_client_secret",
        keywords: &["q~"],
        pattern: r"(?:^|[^\w~.\-])([A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?:[^\w~.\-]|$)",
        min_entropy: 3.0,
    },
    // Microsoft identifiable keys: a fixed signature at a fixed offset.
    BuiltinRule {
        id: "azure_devops_pat",
        keywords: &["jqqj9"],
        pattern: r"\b([A-Za-z0-9]{52}JQQJ9[9DH][A-Za-z0-9]{26})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "azure_storage_account_key",
        keywords: &["+ast"],
        pattern: r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{76}\+ASt[A-Za-z0-9+/]{5}[AQgw]==)",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "azure_cosmosdb_key",
        keywords: &["acdb"],
        pattern: r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{76}ACDb[A-Za-z0-9+/]{5}[AQgw]==)",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "azure_function_key",
        keywords: &["azfu"],
        pattern: r"(?:^|[^\w\-])([A-Za-z0-9_\-]{44}AzFu[A-Za-z0-9_\-]{5}[AQgw]==)",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "azure_search_key",
        keywords: &["azse"],
        pattern: r"\b([A-Za-z0-9]{42}AzSe[A-D][A-Za-z0-9]{5})\b",
        min_entropy: 0.0,
    },
    // --- Other clouds ----------------------------------------------------
    BuiltinRule {
        id: "digitalocean_pat",
        keywords: &["dop_v1_"],
        pattern: r"\b(dop_v1_[a-f0-9]{64})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "digitalocean_oauth_token",
        keywords: &["doo_v1_"],
        pattern: r"\b(doo_v1_[a-f0-9]{64})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "digitalocean_refresh_token",
        keywords: &["dor_v1_"],
        pattern: r"\b(dor_v1_[a-f0-9]{64})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "alibaba_access_key_id",
        keywords: &["ltai"],
        pattern: r"\b(LTAI[A-Za-z0-9]{12,20})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "alibaba_access_key_secret",
        keywords: &["alibaba", "aliyun", "alicloud"],
        pattern: keyed!("alibaba|aliyun|alicloud", r"[A-Za-z0-9]{30}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "tencent_secret_id",
        keywords: &["akid"],
        pattern: r"\b(AKID[A-Za-z0-9]{32})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "yandex_api_key",
        keywords: &["aqvn"],
        pattern: r"\b(AQVN[A-Za-z0-9_\-]{35,38})(?:[^\w\-]|$)",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "ibm_cloud_api_key",
        keywords: &["ibm", "bluemix"],
        pattern: keyed!("ibm|bluemix", r"[A-Za-z0-9_\-]{44}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "oracle_oci_auth_token",
        keywords: &["oci_", "oci-", "oracle"],
        pattern: keyed!(
            r"\boci[_\-][\w\-]{0,20}(?:token|secret|pass_?phrase|password)|oracle[\w\-]{0,20}(?:token|secret|password)",
            r"[A-Za-z0-9+/()<>;:.\[\]{}_\-]{16,}"
        ),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "scaleway_secret_key",
        keywords: &["scaleway", "scw_secret"],
        pattern: keyed!(
            "scaleway|scw_secret",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "linode_token",
        keywords: &["linode"],
        pattern: keyed!("linode", r"[a-f0-9]{64}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "hetzner_token",
        keywords: &["hetzner", "hcloud"],
        pattern: keyed!("hetzner|hcloud", r"[A-Za-z0-9]{64}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "vultr_api_key",
        keywords: &["vultr"],
        pattern: keyed!("vultr", r"[A-Z0-9]{36}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "akamai_client_token",
        keywords: &["akab-"],
        pattern: r"\b(akab-[a-z0-9]{16}-[a-z0-9]{16})\b",
        min_entropy: 3.0,
    },
    // --- CDN and edge ----------------------------------------------------
    // Origin CA keys: `v1.0-` + 24 hex + `-` + 146 hex.
    BuiltinRule {
        id: "cloudflare_origin_ca_key",
        keywords: &["v1.0-"],
        pattern: r"\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
        min_entropy: 0.0,
    },
    // API tokens (40 URL-safe characters) and the global API key (37 hex).
    BuiltinRule {
        id: "cloudflare_api_token",
        keywords: &["cloudflare", "cf_api", "cf_token"],
        pattern: keyed!(
            "cloudflare|cf_api|cf_token",
            r"[A-Za-z0-9_\-]{40}|[a-f0-9]{37}"
        ),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "fastly_api_token",
        keywords: &["fastly"],
        pattern: keyed!("fastly", r"[A-Za-z0-9_\-]{32}"),
        min_entropy: 3.5,
    },
    // --- Hosting platforms -----------------------------------------------
    BuiltinRule {
        id: "heroku_api_key",
        keywords: &["hrku-"],
        pattern: r"\b(HRKU-[A-Za-z0-9_\-]{20,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "heroku_api_key",
        keywords: &["heroku"],
        pattern: keyed!(
            "heroku",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "vercel_token",
        keywords: &["vercel"],
        pattern: keyed!("vercel", r"[A-Za-z0-9]{24}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "vercel_token",
        keywords: &["vcp_", "vci_", "vca_", "vcr_", "vck_"],
        pattern: r"\b(vc[pciark]_[A-Za-z0-9]{24,})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "netlify_token",
        keywords: &["nfp_", "nfo_"],
        pattern: r"\b(nf[po]_[A-Za-z0-9]{36,40})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "netlify_token",
        keywords: &["netlify"],
        pattern: keyed!("netlify", r"[A-Za-z0-9_\-]{40,46}"),
        min_entropy: 3.5,
    },
    // Fly.io macaroons: `fm1r_`, `fm1a_`, `fm2_` + base64, maybe after `FlyV1 `.
    BuiltinRule {
        id: "flyio_token",
        keywords: &["fm1a_", "fm1r_", "fm2_"],
        pattern: r"\b(fm(?:1[ar]|2)_[A-Za-z0-9+/=_\-]{40,})",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "render_api_key",
        keywords: &["rnd_"],
        pattern: r"\b(rnd_[A-Za-z0-9]{32})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "railway_token",
        keywords: &["railway"],
        pattern: keyed!(
            "railway",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "deno_deploy_token",
        keywords: &["ddp_", "ddw_"],
        pattern: r"\b(dd[pw]_[A-Za-z0-9]{36})\b",
        min_entropy: 3.5,
    },
    // --- Databases as a service --------------------------------------------
    BuiltinRule {
        id: "supabase_token",
        keywords: &["sbp_"],
        pattern: r"\b(sbp_(?:oauth_)?[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "supabase_secret_key",
        keywords: &["sb_secret_"],
        pattern: r"\b(sb_secret_[A-Za-z0-9_\-]{20,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "planetscale_token",
        keywords: &["pscale_tkn_", "pscale_pw_", "pscale_oauth_"],
        pattern: r"\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-.=]{32,64})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "neon_api_key",
        keywords: &["napi_"],
        pattern: r"\b(napi_[a-z0-9]{64})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "mongodb_atlas_secret",
        keywords: &["mdb_sa_sk_"],
        pattern: r"\b(mdb_sa_sk_[A-Za-z0-9_\-]{20,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "mongodb_atlas_secret",
        keywords: &["atlas_private", "atlas_api"],
        pattern: keyed!(
            "atlas_private|atlas_api",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    // Databricks personal access tokens `dapi` + 32 hex (+ `-<n>`), service
    // principal OAuth secrets `dose` + 32 hex.
    BuiltinRule {
        id: "databricks_token",
        keywords: &["dapi", "dose"],
        pattern: r"\b((?:dapi|dose)[a-f0-9]{32}(?:-\d)?)\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "snowflake_credential",
        keywords: &["snowflake"],
        pattern: keyed!(
            r"snowflake[\w\-]{0,20}(?:password|pwd|token|secret)",
            r"[^\s'`]{8,}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "upstash_token",
        keywords: &["upstash"],
        pattern: keyed!("upstash", r"[A-Za-z0-9_\-=]{40,}"),
        min_entropy: 4.0,
    },
    // --- Secret managers and infrastructure as code -------------------------
    // Vault tokens: service `hvs.`, batch `hvb.`, recovery `hvr.`.
    BuiltinRule {
        id: "vault_token",
        keywords: &["hvs.", "hvb.", "hvr."],
        pattern: r"\b(hv[sbr]\.[A-Za-z0-9_\-]{24,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "vault_token",
        keywords: &["vault_token", "x-vault-token"],
        pattern: keyed!(r"vault_token|x-vault-token", r"s\.[A-Za-z0-9]{24}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "doppler_token",
        keywords: &[
            "dp.pt.",
            "dp.st.",
            "dp.sa.",
            "dp.ct.",
            "dp.scim.",
            "dp.audit.",
        ],
        pattern: r"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{1,40}\.)?[A-Za-z0-9]{40,44})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "terraform_cloud_token",
        keywords: &["atlasv1"],
        pattern: r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "pulumi_token",
        keywords: &["pul-"],
        pattern: r"\b(pul-[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "infracost_api_key",
        keywords: &["ico-"],
        pattern: r"\b(ico-[A-Za-z0-9]{32})\b",
        min_entropy: 3.5,
    },
    // OpenShift OAuth access tokens: `sha256~` + 43 URL-safe base64.
    BuiltinRule {
        id: "openshift_token",
        keywords: &["sha256~"],
        pattern: r"\b(sha256~[A-Za-z0-9_\-]{43})(?:[^\w\-]|$)",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "defined_networking_key",
        keywords: &["dnkey-"],
        pattern: r"\b(dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "tailscale_key",
        keywords: &["tskey-"],
        pattern: r"\b(tskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,})",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "ngrok_token",
        keywords: &["ngrok"],
        pattern: r"(?i)ngrok[^\n]{0,60}?\b([0-9][A-Za-z0-9]{20,30}_[A-Za-z0-9]{15,30})\b",
        min_entropy: 3.5,
    },
];
