//! Token formats of AI model and tooling vendors (OpenAI, Anthropic, Hugging
//! Face, Groq, xAI, ...), each from the vendor's documented key shape: a
//! distinctive prefix with a fixed length and alphabet where the vendor has one,
//! a vendor keyword on the same line where it has none.
//!
//! Keywords are literal pieces of the token or its context, sometimes an inner
//! piece (`pgram` for Deepgram, `lx-` for `pplx-`): the keyword pass looks at
//! every occurrence of a keyword's first two bytes, and pairs like `de`, `re`,
//! `te`, `ma` are everywhere in text, so a rarer pair keeps the pass cheap.
//!
//! OpenAI, Anthropic: the hand-written scanner (`detectors`) finds these too and
//! both use the same rule ids, so a key is named the same whichever finds it.

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[
    // Project, service-account and admin keys carry `T3BlbkFJ` ("OpenAI" in
    // base64) like the legacy 51-character `sk-` keys.
    BuiltinRule {
        id: "openai_key",
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"],
        pattern: r"\b{start-half}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b)",
        min_entropy: 3.5,
    },
    // `sk-ant-api03-…` (API), `sk-ant-admin01-…` (Admin API), `sk-ant-oat01-`/
    // `sk-ant-ort01-` (OAuth access/refresh): 93 base64url characters, then `AA`.
    BuiltinRule {
        id: "anthropic_key",
        keywords: &["sk-ant-"],
        pattern: r"\b{start-half}sk-ant-(?:api|admin|oat|ort)\d\d-[A-Za-z0-9_-]{32,}",
        min_entropy: 3.5,
    },
    // User access tokens: `hf_` and 34 letters; organisation tokens `api_org_`.
    BuiltinRule {
        id: "huggingface_token",
        keywords: &["hf_"],
        pattern: r"\b{start-half}hf_[A-Za-z0-9]{34}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "huggingface_org_token",
        keywords: &["api_org_"],
        pattern: r"\b{start-half}api_org_[A-Za-z0-9]{34}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "groq_api_key",
        keywords: &["gsk_"],
        pattern: r"\b{start-half}gsk_[A-Za-z0-9]{52}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "xai_api_key",
        keywords: &["ai-"],
        pattern: r"\b{start-half}xai-[A-Za-z0-9]{70,90}\b",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "replicate_api_token",
        keywords: &["r8_"],
        pattern: r"\b{start-half}r8_[A-Za-z0-9]{37}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "perplexity_api_key",
        keywords: &["lx-"],
        pattern: r"\b{start-half}pplx-[A-Za-z0-9]{48}\b",
        min_entropy: 3.8,
    },
    // Cohere and Mistral keys have no prefix (40 and 32 alphanumerics): only
    // next to the vendor's name, on the same line.
    BuiltinRule {
        id: "cohere_api_key",
        keywords: &["cohere", "co_api_key"],
        pattern: r"(?i:cohere|co_api_key)[^\n]{0,60}?\b([A-Za-z0-9]{40})\b",
        min_entropy: 4.2,
    },
    BuiltinRule {
        id: "mistral_api_key",
        keywords: &["mistral"],
        pattern: r"(?i:mistral)[^\n]{0,60}?\b([A-Za-z0-9]{32})\b",
        min_entropy: 4.0,
    },
    // Together: `tgp_v1_` keys; the older ones are 64 hex next to the name.
    BuiltinRule {
        id: "together_api_key",
        keywords: &["tgp_v1_"],
        pattern: r"\b{start-half}tgp_v1_[A-Za-z0-9_-]{40,}",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "together_legacy_api_key",
        keywords: &["ogether"],
        pattern: r"(?i:together)[\w .-]{0,30}(?i:key|token)[^\n]{0,20}?\b([a-f0-9]{64})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "fireworks_api_key",
        keywords: &["fw_"],
        pattern: r"\b{start-half}fw_[A-Za-z0-9]{24}\b",
        min_entropy: 3.8,
    },
    // DeepSeek: `sk-` and 32 lowercase hex (no capitals, so not an OpenAI key).
    BuiltinRule {
        id: "deepseek_api_key",
        keywords: &["sk-"],
        pattern: r"\b{start-half}sk-[a-f0-9]{32}\b",
        min_entropy: 3.0,
    },
    // LangSmith personal (`pt`) and service (`sk`) keys: 32 hex `_` 10 hex.
    BuiltinRule {
        id: "langsmith_api_key",
        keywords: &["sv2_"],
        pattern: r"\b{start-half}lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "langfuse_secret_key",
        keywords: &["sk-lf-"],
        pattern: r"\b{start-half}sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        min_entropy: 0.0,
    },
    BuiltinRule {
        id: "pinecone_api_key",
        keywords: &["pcsk_"],
        pattern: r"\b{start-half}pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40,}",
        min_entropy: 3.8,
    },
    // Weights & Biases: 40 hex, next to `wandb`.
    BuiltinRule {
        id: "wandb_api_key",
        keywords: &["andb"],
        pattern: r"(?i:wandb)[^\n]{0,60}?\b([a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    // ElevenLabs: `sk_` and 48 lowercase hex.
    BuiltinRule {
        id: "elevenlabs_api_key",
        keywords: &["sk_"],
        pattern: r"\b{start-half}sk_[a-f0-9]{48}\b",
        min_entropy: 3.0,
    },
    // Voyage AI: `pa-` and 43 base64url characters (random: entropy high).
    BuiltinRule {
        id: "voyage_api_key",
        keywords: &["pa-"],
        pattern: r"\b{start-half}pa-[A-Za-z0-9_-]{43}\b{end-half}",
        min_entropy: 4.3,
    },
    BuiltinRule {
        id: "openrouter_api_key",
        keywords: &["sk-or-v1-"],
        pattern: r"\b{start-half}sk-or-v1-[a-f0-9]{64}\b",
        min_entropy: 3.0,
    },
    // NVIDIA API catalog / NGC keys.
    BuiltinRule {
        id: "nvidia_api_key",
        keywords: &["nvapi-"],
        pattern: r"\b{start-half}nvapi-[A-Za-z0-9_-]{60,70}",
        min_entropy: 4.0,
    },
    BuiltinRule {
        id: "tavily_api_key",
        keywords: &["tvly-"],
        pattern: r"\b{start-half}tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}\b",
        min_entropy: 3.8,
    },
    BuiltinRule {
        id: "firecrawl_api_key",
        keywords: &["fc-"],
        pattern: r"\b{start-half}fc-[a-f0-9]{32}\b",
        min_entropy: 3.0,
    },
    // Deepgram and AssemblyAI: 40 and 32 hex with no prefix, by name only.
    BuiltinRule {
        id: "deepgram_api_key",
        keywords: &["pgram"],
        pattern: r"(?i:deepgram)[^\n]{0,60}?\b([a-f0-9]{40})\b",
        min_entropy: 3.0,
    },
    BuiltinRule {
        id: "assemblyai_api_key",
        keywords: &["assemblyai", "assembly_ai"],
        pattern: r"(?i:assembly_?ai)[^\n]{0,60}?\b([a-f0-9]{32})\b",
        min_entropy: 3.0,
    },
];
