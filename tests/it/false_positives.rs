//! Ordinary text stays intact: every file of tests/corpus/ordinary (real
//! open-source code in several languages, lock files, logs with hashes, UUIDs
//! and base64; see its README) goes through the built binary as the content of
//! a Write, and what is kept must equal what was sent. Each `[REDACTED:` the
//! binary adds is a false positive; the test prints them (file, rule, line) and
//! the rate per MB, and fails when there are more than `ALLOWED`.

use std::path::{Path, PathBuf};

use crate::testenv::*;
use serde_json::json;

/// Findings tolerated, per file and rule: `(path suffix, rule, count)`. Lower a
/// count when a fix removes one; never add or raise one to let a new finding in
/// (fix the detector instead). The only ones: literal example credentials in
/// URLs in ureq's proxy tests and docs (`user:p@ssw0rd@localhost`,
/// `john:smith@...`), which `url_password` redacts by design, as it must
/// redact any literal password in a URL.
const ALLOWED: &[(&str, &str, usize)] = &[("ureq-3.5.1/src/proxy.rs", "url_password", 11)];

fn corpus_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ordinary");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
}

/// The lines of `after` that hold a marker `before` does not: what was taken
/// for a secret, with the line it was on.
fn redacted_lines(before: &str, after: &str) -> Vec<String> {
    let kept: std::collections::HashSet<&str> = before.lines().collect();
    after
        .lines()
        .filter(|l| l.contains("[REDACTED:") && !kept.contains(l))
        .map(|l| l.trim().chars().take(160).collect())
        .collect()
}

#[test]
fn ordinary_files_are_kept_unchanged() {
    let env = TestEnv::new("false-positives");
    let files = corpus_files();
    assert!(files.len() > 100, "the corpus is in place");
    let mut sent = Vec::new();
    let mut bytes = 0usize;
    for p in &files {
        // Lossy: a corpus file is text; a stray byte must not abort the run.
        let content = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        bytes += content.len();
        let mut e = fixture("PreToolUse");
        e["tool_name"] = json!("Write");
        e["tool_input"] = json!({"file_path": p.display().to_string(), "content": content});
        let out = env.hook(&serde_json::to_vec(&e).unwrap());
        assert_exit(&out, 0);
        sent.push(content);
    }
    let kept = env.kept();
    assert_eq!(kept.len(), files.len(), "one kept event per file");
    let mut found = Vec::new();
    for ((p, before), k) in files.iter().zip(&sent).zip(&kept) {
        let after = k["input"]["tool_input"]["content"].as_str().unwrap();
        if after != before {
            let lines = redacted_lines(before, after);
            let name = p.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(p);
            assert!(
                !lines.is_empty(),
                "{} changed without a marker",
                name.display()
            );
            for l in lines {
                for rule in l.split("[REDACTED:").skip(1) {
                    let rule = rule.split(']').next().unwrap_or("");
                    found.push((name.display().to_string(), rule.to_string(), l.clone()));
                }
            }
        }
    }
    let mb = bytes as f64 / 1_000_000.0;
    println!(
        "false positives: {} in {} files, {mb:.2} MB: {:.2} per MB",
        found.len(),
        files.len(),
        found.len() as f64 / mb
    );
    let mut over = Vec::new();
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for (file, rule, line) in &found {
        println!("  {file}: {line}");
        let allowed = ALLOWED
            .iter()
            .find(|(f, r, _)| file.ends_with(f) && r == rule)
            .map_or(0, |a| a.2);
        let n = counts.entry((file, rule)).or_default();
        *n += 1;
        if *n > allowed {
            over.push(format!("{file}: {line}"));
        }
    }
    assert!(
        over.is_empty(),
        "{} new false positives (see ALLOWED):\n{}",
        over.len(),
        over.join("\n")
    );
}
