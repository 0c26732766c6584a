//! Built-in rules: devtools vendors.

use super::BuiltinRule;

pub const RULES: &[BuiltinRule] = &[];
