//! Recall on the secrets corpus through the built binary: every sample of every
//! tests/corpus/secrets*.tsv (`rule_id<TAB>note<TAB>sample`, made up in the
//! vendor's documented format) in four placements, bare in Bash output, bare in
//! a prompt, inside a written file, and keyed under a name that says nothing
//! (`VALUE_7=<sample>` in a command). All samples of a placement go into one
//! event, one per line, so the suite runs four invocations, not hundreds.
//!
//! The secret of a sample is its longest piece between blanks and `= : ; & ? " '`
//! (a sample may carry the context its format needs: `DD_API_KEY=<32 hex>`,
//! `AccountKey=…;`); it must not appear anywhere in the kept event.

use crate::testenv::*;
use serde_json::{Value, json};

struct Sample {
    file: String,
    rule: String,
    sample: String,
}

fn corpus() -> Vec<Sample> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("secrets") && name.ends_with(".tsv")
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.splitn(3, '\t').collect();
            assert_eq!(
                cols.len(),
                3,
                "{file}: not rule<TAB>note<TAB>sample: {line}"
            );
            out.push(Sample {
                file: file.clone(),
                rule: cols[0].to_string(),
                sample: cols[2].to_string(),
            });
        }
    }
    out
}

/// The part of a sample that must go: its longest piece between separators.
fn secret_of(sample: &str) -> &str {
    sample
        .split(|c: char| c.is_whitespace() || "=:;&?\"'".contains(c))
        .max_by_key(|p| p.len())
        .unwrap_or(sample)
}

/// The kept event of one invocation with `event`, as JSON text.
fn kept_text(tag: &str, event: &Value) -> String {
    let env = TestEnv::new(tag);
    let out = env.hook(event.to_string().as_bytes());
    let kept = env.kept();
    assert_eq!(
        kept.len(),
        1,
        "{tag}: one event kept; stderr: {}",
        stderr(&out)
    );
    kept[0].to_string()
}

#[test]
fn every_sample_is_redacted_in_every_placement() {
    let samples = corpus();
    assert!(samples.len() >= 90, "only {} samples", samples.len());
    for s in &samples {
        assert!(
            secret_of(&s.sample).len() >= 8,
            "{}: {}: the secret part of `{}` is too short to check",
            s.file,
            s.rule,
            s.sample
        );
    }
    let bare: Vec<&str> = samples.iter().map(|s| s.sample.as_str()).collect();
    let bare = bare.join("\n");
    let keyed: Vec<String> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| format!("VALUE_{i}={}", s.sample))
        .collect();

    let mut bash = fixture("PostToolUse");
    bash["tool_name"] = json!("Bash");
    bash["tool_input"] = json!({"command": "cat deploy.log", "description": "show the log"});
    bash["tool_response"] = json!({"stdout": bare, "stderr": "", "interrupted": false});
    let mut prompt = fixture("UserPromptSubmit");
    prompt["prompt"] = json!(format!("deploy with these, please:\n{bare}"));
    let mut write = fixture("PreToolUse");
    write["tool_name"] = json!("Write");
    write["tool_input"] = json!({"file_path": "/home/u/proj/notes.txt", "content": bare});
    let mut command = fixture("PreToolUse");
    command["tool_name"] = json!("Bash");
    command["tool_input"] = json!({"command": keyed.join("\n"), "description": "set up"});

    let placements = [
        ("bash_output", bash),
        ("prompt", prompt),
        ("written_file", write),
        ("keyed_command", command),
    ];
    let mut failures = Vec::new();
    for (name, event) in &placements {
        let text = kept_text(name, event);
        let mut caught = 0;
        for s in &samples {
            if text.contains(secret_of(&s.sample)) {
                failures.push(format!("{name}: {} {}: {}", s.file, s.rule, s.sample));
            } else {
                caught += 1;
            }
        }
        println!(
            "secrets corpus recall, {name}: {caught}/{} ({:.1}%)",
            samples.len(),
            100.0 * caught as f64 / samples.len() as f64
        );
    }
    assert!(
        failures.is_empty(),
        "{} sample placements kept:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
