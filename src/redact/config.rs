//! The `redaction` section of the config file: the off switch, extra patterns and
//! extra secret key names. The loader in `config/` only aggregates it.

use serde::Deserialize;

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
}

impl Default for RedactionConfig {
    fn default() -> Self {
        RedactionConfig {
            enabled: true,
            patterns: Vec::new(),
            keys: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPattern {
    pub name: String,
    pub pattern: String,
}
