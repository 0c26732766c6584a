//! The one integration-test binary: every suite is a module here, all sharing the
//! harness in tests/testenv (isolated HOME, the built binary run as Claude Code
//! runs it, loopback HTTP servers, backend fakes, the hooks/events fixtures).
//! One binary links the harness once instead of ten times, and `cargo test`
//! runs the suites' tests in one parallel pool.
//!
//! Test names are `<module>::<test>`, so libtest's filters select whole suites:
//!   cargo test --locked --test it -- spool::          # one suite
//!   cargo test --locked -- --skip e2e_claude          # everything but the real CLI
//! `e2e_claude` runs the real Claude Code CLI and is by far the slowest suite. For
//! mutation testing skip it the same way; cargo-mutants hands what follows its own
//! `--` to `cargo test`, so the filter needs a second `--` to reach libtest:
//!   cargo mutants -- -- --skip e2e_claude
//! (`cargo mutants -- --skip e2e_claude` would hand `--skip` to cargo, which rejects it.)

#[path = "../testenv/mod.rs"]
mod testenv;

mod at_rest;
mod backends;
mod backlog;
mod bloodbank_nats;
mod dead_letters;
mod decision;
mod doctor;
mod doctor_probes;
mod drain;
mod e2e_claude;
mod enrich;
mod false_positives;
mod gitleaks_rules;
mod hook;
mod hostile_config;
mod hostile_disk;
mod hostile_git;
mod hostile_input;
mod hostile_time;
mod install;
mod install_build;
mod install_sh;
mod operator;
mod orgloop;
mod otlp;
mod recovery;
mod redaction;
mod secrets_corpus;
mod spool;
mod tls;
