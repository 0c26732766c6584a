//! Built-in sample HookInputs (from `hooks/events/`), for `hookrelay send`.
