//! Built-in rules: developer tools: code hosting, package registries, CI/CD,
//! observability, identity and developer-facing SaaS. Each pattern follows the
//! vendor's documented token shape (prefix, length, alphabet); formats without
//! a distinctive prefix are only taken next to the vendor's name (`keyed!`).

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // --- Code hosting ----------------------------------------------------
    // GitHub: `ghp_` (classic PAT), `gho_` (OAuth), `ghu_` (user-to-server),
    // `ghs_` (server-to-server), `ghr_` (refresh): 36 base62 characters (the
    // last 6 a CRC32); fine-grained PATs `github_pat_` + 22 + `_` + 59.
    BuiltinRule {
        id: "github_token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        pattern: r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "github_token",
        keywords: &["github_pat_"],
        pattern: r"\b(github_pat_[A-Za-z0-9_]{22,255})\b",
        min_entropy: 0.0,
    },
    // GitLab: personal/project/group access (`glpat-`), deploy (`gldt-`),
    // runner authentication (`glrt-`), pipeline trigger (`glptt-`), feed
    // (`glft-`), CI job (`glcbt-`), OAuth app secret (`gloas-`), SCIM
    // (`glsoat-`), feature flags client (`glffct-`), incoming mail (`glimt-`),
    // agent for Kubernetes (`glagent-`), workspace (`glwt-`); runner
    // registration tokens `GR1348941…`. Routable tokens add `.01.<suffix>`.
    BuiltinRule {
        id: "gitlab_token",
        keywords: &[
            "glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glcbt-", "gloas-", "glsoat-",
            "glffct-", "glimt-", "glagent-", "glwt-",
        ],
        pattern: r"\b((?:glpat|gldt|glrt|glptt|glft|glcbt|gloas|glsoat|glffct|glimt|glagent|glwt)-[A-Za-z0-9_\-]{20,}(?:\.[A-Za-z0-9_\-]{2,}){0,2})",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "gitlab_token",
        keywords: &["gr1348941"],
        pattern: r"\b(GR1348941[A-Za-z0-9_\-]{20,})",
        min_entropy: 0.0,
    },
    // Bitbucket app passwords `ATBB` + 32; Atlassian API tokens `ATATT3…`,
    // access tokens `ATCTT3…`.
    BuiltinRule {
        id: "bitbucket_app_password",
        keywords: &["atbb"],
        pattern: r"\b(ATBB[A-Za-z0-9_\-=]{28,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "atlassian_api_token",
        keywords: &["atatt3", "atctt3"],
        pattern: r"\b(AT[AC]TT3[A-Za-z0-9_\-=]{20,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "atlassian_api_token",
        keywords: &["jira", "confluence", "atlassian", "bitbucket"],
        pattern: keyed!(
            r"(?:jira|confluence|atlassian|bitbucket)[\w\-]{0,20}(?:token|api_?key|pat|password|secret)",
            r"[A-Za-z0-9+/=_\-]{20,}"
        ),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "sourcegraph_token",
        keywords: &["sgp_"],
        pattern: r"\b(sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    // --- Package registries -------------------------------------------------
    BuiltinRule {
        id: "npm_token",
        keywords: &["npm_"],
        pattern: r"\b(npm_[A-Za-z0-9]{36,255})\b",
        min_entropy: 0.0,
    },
    // PyPI API tokens are macaroons whose base64 starts with the issuer
    // (`pypi.org` or `test.pypi.org`).
    BuiltinRule {
        id: "pypi_token",
        keywords: &["pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"],
        pattern: r"\b(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,})",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "rubygems_api_key",
        keywords: &["rubygems_"],
        pattern: r"\b(rubygems_[a-f0-9]{48})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "nuget_api_key",
        keywords: &["oy2"],
        pattern: r"\b(oy2[a-z0-9]{43})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "cratesio_api_token",
        keywords: &["cio"],
        pattern: r"\b(cio[A-Za-z0-9]{32})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "dockerhub_token",
        keywords: &["dckr_pat_", "dckr_oat_"],
        pattern: r"\b(dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,})",
        min_entropy: 3.5,
    },
    // JFrog: API keys `AKCp` + 69; identity/reference tokens are base64 of
    // `reftkn:01:…`.
    BuiltinRule {
        id: "jfrog_token",
        keywords: &["akcp"],
        pattern: r"\b(AKCp[A-Za-z0-9]{69})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "jfrog_token",
        keywords: &["cmvmdgtuojax"],
        pattern: r"\b(cmVmdGtuOjAx[A-Za-z0-9]{50,})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "pub_dev_token",
        keywords: &["pub_token", "pub-token"],
        pattern: keyed!("pub[_-]token", r"[A-Za-z0-9_\-]{40,}"),
        min_entropy: 3.5,
    },
    // --- CI/CD and code quality ---------------------------------------------
    BuiltinRule {
        id: "sonar_token",
        keywords: &["sqp_", "squ_", "sqa_"],
        pattern: r"\b(sq[pua]_[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "sonar_token",
        keywords: &["sonar"],
        pattern: keyed!("sonar", r"[a-f0-9]{40}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "snyk_token",
        keywords: &["snyk"],
        pattern: keyed!(
            "snyk",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "circleci_token",
        keywords: &["ccipat_", "cciprj_"],
        pattern: r"\b(CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "circleci_token",
        keywords: &["circle"],
        pattern: keyed!("circle", r"[a-f0-9]{40}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "travis_token",
        keywords: &["travis"],
        pattern: keyed!("travis", r"[A-Za-z0-9_\-]{22}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "buildkite_token",
        keywords: &["bkua_"],
        pattern: r"\b(bkua_[a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "buildkite_token",
        keywords: &["buildkite"],
        pattern: keyed!("buildkite", r"[A-Za-z0-9]{40,60}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "jenkins_api_token",
        keywords: &["jenkins"],
        pattern: keyed!("jenkins", r"11[a-f0-9]{32}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "codecov_token",
        keywords: &["codecov"],
        pattern: keyed!(
            "codecov",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    // Octopus Deploy API keys: `API-` + 26-32 upper-case letters and digits.
    BuiltinRule {
        id: "octopus_deploy_api_key",
        keywords: &["api-"],
        pattern: r"\b(API-[A-Z0-9]{26,32})\b",
        min_entropy: 3.5,
    },
    // Harness: `pat.<account>.<token id>.<secret>` (and `sat.` for service accounts).
    BuiltinRule {
        id: "harness_token",
        keywords: &["pat.", "sat."],
        pattern: r"\b((?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "prefect_api_key",
        keywords: &["pnu_"],
        pattern: r"\b(pnu_[A-Za-z0-9]{36})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "readme_api_key",
        keywords: &["rdme_"],
        pattern: r"\b(rdme_[a-z0-9]{70})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "scalingo_token",
        keywords: &["tk-us-"],
        pattern: r"\b(tk-us-[A-Za-z0-9_\-]{48})(?:[^\w\-]|$)",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "frameio_token",
        keywords: &["fio-u-"],
        pattern: r"\b(fio-u-[A-Za-z0-9_\-=]{64})",
        min_entropy: 3.5,
    },
    // --- Project tracking and API tools ---------------------------------------
    BuiltinRule {
        id: "linear_api_key",
        keywords: &["lin_api_", "lin_oauth_"],
        pattern: r"\b(lin_(?:api_[A-Za-z0-9]{40}|oauth_[a-f0-9]{64}))\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "postman_api_key",
        keywords: &["pmak-", "pmat-"],
        pattern: r"\b(PMA[KT]-[a-f0-9]{24}-[a-f0-9]{34})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "figma_token",
        keywords: &["figd_", "figu_"],
        pattern: r"\b(fig[du]_[A-Za-z0-9_\-]{40,})",
        min_entropy: 3.5,
    },
    // --- Observability ----------------------------------------------------
    // Sentry organisation tokens `sntrys_` + base64 JSON + `_` + secret; user
    // tokens `sntryu_` + 64 hex.
    BuiltinRule {
        id: "sentry_token",
        keywords: &["sntrys_", "sntryu_"],
        pattern: r"\b(sntry(?:s_eyJ[A-Za-z0-9+/=_]{50,}|u_[a-f0-9]{64}))",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "sentry_token",
        keywords: &["sentry"],
        pattern: keyed!(r"sentry[\w\-]{0,15}(?:token|key)", r"[a-f0-9]{64}"),
        min_entropy: 3.0,
    },
    // Grafana service account tokens `glsa_` + 32 + `_` + 8 hex, Cloud
    // tokens `glc_` + base64, API keys (base64 JSON `{"k":"…`).
    BuiltinRule {
        id: "grafana_token",
        keywords: &["glsa_"],
        pattern: r"\b(glsa_[A-Za-z0-9]{32}_[a-f0-9]{8})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "grafana_token",
        keywords: &["glc_"],
        pattern: r"\b(glc_[A-Za-z0-9+/]{32,400}={0,2})",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "grafana_token",
        keywords: &["eyjrijoi"],
        pattern: r"\b(eyJrIjoi[A-Za-z0-9]{40,400}={0,2})",
        min_entropy: 3.5,
    },
    // New Relic: user API `NRAK-` + 27, Insights insert `NRII-`, query
    // `NRIQ-`, browser `NRJS-` + 19 hex, REST `NRRA-` + 42 hex, license keys
    // (40 hex ending in `NRAL`).
    BuiltinRule {
        id: "newrelic_key",
        keywords: &["nrak-"],
        pattern: r"\b(NRAK-[A-Z0-9]{27})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "newrelic_key",
        keywords: &["nrii-", "nriq-"],
        pattern: r"\b(NRI[IQ]-[A-Za-z0-9_\-]{32})(?:[^\w\-]|$)",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "newrelic_key",
        keywords: &["nrjs-"],
        pattern: r"\b(NRJS-[a-f0-9]{19})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "newrelic_key",
        keywords: &["nrra-"],
        pattern: r"\b(NRRA-[a-f0-9]{42})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "newrelic_key",
        keywords: &["nral"],
        pattern: r"\b([a-f0-9]{36}NRAL)\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "datadog_api_key",
        keywords: &["datadog", "dd_api", "dd-api", "dd_app", "dd-app"],
        pattern: keyed!(
            r"datadog|dd[_\-]api|dd[_\-]app",
            r"[a-f0-9]{40}|[a-f0-9]{32}"
        ),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "honeycomb_api_key",
        keywords: &["hcaik_", "hcxik_", "hcxlk_", "hcamk_", "hcxmk_"],
        pattern: r"\b(hc(?:aik|xik|xlk|amk|xmk)_[a-z0-9]{58})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "honeycomb_api_key",
        keywords: &["honeycomb"],
        pattern: keyed!("honeycomb", r"[A-Za-z0-9]{32}|[A-Za-z0-9]{22}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "dynatrace_token",
        keywords: &["dt0c01.", "dt0s01.", "dt0s02.", "dt0a01."],
        pattern: r"\b(dt0[a-z][0-9]{2}\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "splunk_token",
        keywords: &["splunk"],
        pattern: keyed!(
            "splunk",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        ),
        min_entropy: 3.0,
    },
    // --- Secrets and identity ---------------------------------------------
    // age identities: `AGE-SECRET-KEY-1` + 58 bech32 (upper case).
    BuiltinRule {
        id: "age_secret_key",
        keywords: &["age-secret-key-"],
        pattern: r"\b(AGE-SECRET-KEY-(?:PQ-)?1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58,})",
        min_entropy: 0.0,
    },
    // 1Password service-account tokens (`ops_` + base64 JSON) and account
    // secret keys (`A3-XXXXXX-…`).
    BuiltinRule {
        id: "onepassword_token",
        keywords: &["ops_ey"],
        pattern: r"\b(ops_eyJ[A-Za-z0-9+/=_\-]{100,})",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "onepassword_secret_key",
        keywords: &["a3-"],
        pattern: r"\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
        min_entropy: 3.0,
    },
    // Okta API tokens (`00` + 40, sent as `SSWS <token>`).
    BuiltinRule {
        id: "okta_api_token",
        keywords: &["ssws"],
        pattern: r"\bSSWS\s+(00[A-Za-z0-9_\-]{40})(?:[^\w\-]|$)",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "okta_api_token",
        keywords: &["okta"],
        pattern: keyed!("okta", r"00[A-Za-z0-9_\-]{40}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "auth0_client_secret",
        keywords: &["auth0"],
        pattern: keyed!(
            r"auth0[\w\-]{0,20}(?:secret|token|key)",
            r"[A-Za-z0-9_\-]{32,86}"
        ),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "contentful_token",
        keywords: &["cfpat-"],
        pattern: r"\b(CFPAT-[A-Za-z0-9_\-]{43})(?:[^\w\-]|$)",
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "contentful_token",
        keywords: &["contentful"],
        pattern: keyed!("contentful", r"[A-Za-z0-9_\-]{43}"),
        min_entropy: 3.5,
    },
    BuiltinRule {
        id: "algolia_api_key",
        keywords: &["algolia"],
        pattern: keyed!("algolia", r"[a-f0-9]{32}"),
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "launchdarkly_key",
        keywords: &["api-", "sdk-"],
        pattern: r"\b((?:api|sdk)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        min_entropy: 3.0,
    },
];
