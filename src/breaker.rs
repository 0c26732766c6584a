//! Per-backend circuit breaker shared by all invocations through a small state file.
