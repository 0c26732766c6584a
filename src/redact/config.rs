//! The `redaction` section of the config file: the off switch, extra patterns,
//! extra secret key names and a gitleaks-format rules file. The loader in
//! `config/` only aggregates it.

use std::path::PathBuf;

use serde::Deserialize;

pub use super::gitleaks::RulesMode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactionConfig {
    /// Off switch for users who must keep raw data locally.
    pub enabled: bool,
    /// Extra patterns (regular expressions), each with a rule name for the report.
    pub patterns: Vec<ExtraPattern>,
    /// Extra key names whose values are secrets (JSON keys, `KEY=value`), matched
    /// ignoring case and punctuation.
    pub keys: Vec<String>,
    /// A gitleaks-format TOML rules file (`[[rules]]` with id, regex, keywords,
    /// secretGroup, entropy, allowlists): an absolute path or `~/…`.
    pub rules_file: Option<PathBuf>,
    /// `add` (default): the file's rules run beside the built-in ones;
    /// `replace`: only the file's rules (and `patterns`, `keys`) run. The file's own
    /// `[extend] useDefault` is not what decides: a file someone points at must
    /// not switch the built-in rules off by leaving it out.
    pub rules_mode: RulesMode,
}

impl Default for RedactionConfig {
    fn default() -> Self {
        RedactionConfig {
            enabled: true,
            patterns: Vec::new(),
            keys: Vec::new(),
            rules_file: None,
            rules_mode: RulesMode::Add,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPattern {
    pub name: String,
    pub pattern: String,
}
