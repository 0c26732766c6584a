//! install.sh's build step, with a fake `cargo` and `rustc` on PATH (a real
//! release build takes minutes): the statically linked build is tried first and
//! installed only when it builds and runs; otherwise the ordinary build is
//! installed, with one line saying why; `--dynamic` skips the static attempt.

use crate::testenv::install::*;
use crate::testenv::*;
use std::path::Path;
use std::process::Output;

/// A fake toolchain in `dir/bin`: `rustc -vV` names the host; `cargo build`
/// logs its RUSTFLAGS and arguments to `dir/cargo.log` and puts a binary where
/// cargo would: the binary under test, or for the static build (`--target`) what
/// `STATIC` says: `ok` (the binary under test), `fail` (the build fails), `broken`
/// (a binary that does not run).
fn fake_toolchain(dir: &Path, static_mode: &str) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("cargo.log");
    let cargo = format!(
        r#"#!/bin/sh
printf 'RUSTFLAGS=%s ARGS=%s\n' "${{RUSTFLAGS:-}}" "$*" >>'{log}'
case " $* " in
*" --target "*)
    mode='{static_mode}'
    [ "$mode" = fail ] && {{ echo 'error: linking with cc failed' >&2; exit 101; }}
    out=$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release
    mkdir -p "$out"
    if [ "$mode" = broken ]; then printf '#!/bin/sh\nexit 127\n' >"$out/hookrelay"; chmod 755 "$out/hookrelay"
    else cp '{bin}' "$out/hookrelay"; fi ;;
*)
    mkdir -p "$CARGO_TARGET_DIR/release"
    printf '#!/bin/sh\necho dynamic\n' >"$CARGO_TARGET_DIR/release/hookrelay"
    chmod 755 "$CARGO_TARGET_DIR/release/hookrelay" ;;
esac
"#,
        log = log.display(),
        bin = crate::testenv::bin(),
    );
    std::fs::write(bin.join("cargo"), cargo).unwrap();
    std::fs::write(
        bin.join("rustc"),
        "#!/bin/sh\nprintf 'rustc 1.0.0\\nhost: x86_64-unknown-linux-gnu\\n'\n",
    )
    .unwrap();
    for f in ["cargo", "rustc"] {
        let _ = std::process::Command::new("chmod")
            .arg("755")
            .arg(bin.join(f))
            .status();
    }
    format!("{}:/usr/bin:/bin", bin.display())
}

fn build_install(tag: &str, static_mode: &str, extra: &[&str]) -> (TempDir, Output, String) {
    let (t, home) = empty_home(tag);
    let path = fake_toolchain(t.path(), static_mode);
    let target = t.path().join("target").display().to_string();
    let mut args = vec!["--no-wire"];
    args.extend_from_slice(extra);
    let out = install_sh_raw(
        &home,
        t.path(),
        &args,
        &[("PATH", &path), ("CARGO_TARGET_DIR", &target)],
    );
    let log = std::fs::read_to_string(t.path().join("cargo.log")).unwrap_or_default();
    (t, out, log)
}

fn installed(t: &TempDir) -> Vec<u8> {
    std::fs::read(t.path().join("home/.local/bin/hookrelay")).unwrap()
}

#[test]
fn the_statically_linked_build_is_the_default_when_it_builds_and_runs() {
    let (t, out, log) = build_install("build-static", "ok", &[]);
    assert_exit(&out, 0);
    assert!(
        log.contains("target-feature=+crt-static -C relocation-model=static")
            && log.contains("--target x86_64-unknown-linux-gnu"),
        "static build asked for: {log}"
    );
    assert_eq!(log.lines().count(), 1, "no second build: {log}");
    assert_eq!(
        installed(&t),
        std::fs::read(crate::testenv::bin()).unwrap(),
        "the static build is installed"
    );
    assert!(!stdout(&out).contains("not installing"), "{}", stdout(&out));
}

#[test]
fn a_failed_static_build_falls_back_to_the_ordinary_one_saying_why() {
    let (t, out, log) = build_install("build-fail", "fail", &[]);
    assert_exit(&out, 0);
    assert_stdout_has(
        &out,
        "not installing the statically linked build: its build failed",
    );
    assert_eq!(log.lines().count(), 2, "static, then ordinary: {log}");
    assert!(!log.lines().nth(1).unwrap().contains("crt-static"), "{log}");
    assert_eq!(installed(&t), b"#!/bin/sh\necho dynamic\n");
}

#[test]
fn a_static_binary_that_does_not_run_is_not_installed() {
    let (t, out, _) = build_install("build-broken", "broken", &[]);
    assert_exit(&out, 0);
    assert_stdout_has(&out, "--version failed");
    assert_eq!(installed(&t), b"#!/bin/sh\necho dynamic\n");
}

#[test]
fn dynamic_flag_skips_the_static_attempt() {
    let (t, out, log) = build_install("build-dynamic", "ok", &["--dynamic"]);
    assert_exit(&out, 0);
    assert_stdout_has(&out, "--dynamic given");
    assert!(!log.contains("crt-static"), "{log}");
    assert_eq!(installed(&t), b"#!/bin/sh\necho dynamic\n");
}

#[test]
fn doctor_says_which_kind_of_binary_runs_and_how_to_get_the_fast_one() {
    let env = TestEnv::new("build-doctor");
    let out = env.run(&["doctor", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "binary")
        .cloned()
        .expect("a binary check");
    assert_eq!(c["status"], "ok", "{c}");
    let msg = c["message"].as_str().unwrap();
    // What the binary under test is, read from its ELF headers: a dynamically
    // linked one asks for an interpreter (PT_INTERP); a fixed-address one is
    // ET_EXEC.
    let elf = std::fs::read(crate::testenv::bin()).unwrap();
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[32..40].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(54), u16_at(56));
    let dynamic = (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    });
    let want = match (dynamic, u16_at(16) == 2) {
        (true, _) => "dynamically linked",
        (false, true) => "statically linked, fixed address",
        (false, false) => "statically linked, position-independent",
    };
    assert!(msg.starts_with(want), "{want}: {msg}");
    if dynamic {
        assert!(msg.contains("install.sh"), "how to get the fast one: {msg}");
    }
}
