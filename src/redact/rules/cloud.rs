//! Built-in rules: cloud vendors.

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[];
