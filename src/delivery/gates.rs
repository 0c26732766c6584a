//! Gates: the backends whose answer counts. Turns what each gate answered (or
//! that it could not be reached) into a verdict for `protocol::answer::merge`,
//! applying the gate's `on_unreachable` fail mode (also to an answer whose
//! decision field is invalid: a fail-closed gate never fails open on a typo).

use crate::backends::Outcome;
use crate::backends::webhook::FailMode;
use crate::delivery::Delivery;
use crate::error;
use crate::protocol::answer::{self, Verdict};
use crate::protocol::envelope::Envelope;

/// Opinions of the gates among the deliveries (including fail-closed ones).
/// Problems with an answer go to stderr, one line each.
pub fn gate_verdicts(env: &Envelope, deliveries: &[Delivery]) -> Vec<Verdict> {
    let event = env.hook_event_name.as_str();
    let mut out = Vec::new();
    for d in deliveries {
        let Some(gate) = &d.gate else { continue };
        let source = format!("gate:{}", d.backend);
        let failure = match (&d.outcome, &d.answer) {
            (Outcome::Delivered, Some(answer)) => {
                let (result, notes) = answer::validate(event, answer);
                for n in notes {
                    error::report(format_args!("gate {}: {event} answer: {n}", d.backend));
                }
                // A decision field dropped as invalid would let through what a
                // fail-closed gate meant to stop: such a gate fails closed on it.
                let bad = (gate.on_unreachable == FailMode::Closed && answer::fails_closed(event))
                    .then(|| answer::invalid_decision(event, answer))
                    .flatten();
                match (result, bad) {
                    (Ok(output), None) => {
                        out.push(Verdict { source, output });
                        continue;
                    }
                    (Ok(_), Some(bad)) => format!("answered an invalid {bad}"),
                    (Err(why), _) => {
                        error::report(format_args!(
                            "gate {}: ignored its {event} answer: {why}",
                            d.backend
                        ));
                        format!("gave an invalid answer ({why})")
                    }
                }
            }
            (Outcome::Delivered, None) => {
                "answered without a JSON object (answer `{}` for no opinion)".to_string()
            }
            (Outcome::Retry(why) | Outcome::Rejected(why), _) => {
                format!("was unreachable ({why})")
            }
        };
        if gate.on_unreachable == FailMode::Closed && answer::fails_closed(event) {
            let reason = format!(
                "hookrelay gate `{}` {failure}; it fails closed (on_unreachable: closed)",
                d.backend
            );
            out.push(Verdict {
                source,
                output: answer::closed_output(event, &reason),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::webhook::GateConfig;
    use crate::protocol::answer::merge;
    use crate::protocol::answer::testing::{envelope, out, pre};
    use serde_json::{Value, json};

    fn fixture(event: &str) -> Envelope {
        let sample = crate::protocol::events::spec_of(event).unwrap().sample;
        envelope(serde_json::from_str(sample).unwrap())
    }

    fn delivery(outcome: Outcome, answer: Option<Value>, mode: FailMode) -> Delivery {
        Delivery {
            backend: "sec".into(),
            outcome,
            answer,
            gate: Some(GateConfig {
                on_unreachable: mode,
            }),
            retry_after_ms: None,
        }
    }

    #[test]
    fn gate_answers_and_fail_modes() {
        let env = fixture("PreToolUse");
        let down = || Outcome::Retry("connection refused".into());
        assert!(gate_verdicts(&env, &[delivery(down(), None, FailMode::Open)]).is_empty());
        let closed = gate_verdicts(&env, &[delivery(down(), None, FailMode::Closed)]);
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].source, "gate:sec");
        let a = merge(&env, &closed);
        let o = out(&a);
        assert_eq!(o["hookSpecificOutput"]["permissionDecision"], "deny");
        let reason = o["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap();
        assert!(
            reason.contains("`sec`") && reason.contains("unreachable"),
            "{reason}"
        );
        // An invalid answer counts as no answer.
        let bad = json!({"hookSpecificOutput": {"hookEventName": "Stop"}});
        let v = gate_verdicts(
            &env,
            &[delivery(Outcome::Delivered, Some(bad), FailMode::Closed)],
        );
        assert!(
            v[0].output["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .unwrap()
                .contains("invalid answer")
        );
        // A decision field with a bad value or type: a fail-closed gate denies,
        // naming the field; a fail-open one has the field dropped (no opinion).
        for bad in [
            json!({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "Deny"}}),
            json!({"hookSpecificOutput": {"permissionDecision": 1}}),
            json!({"decision": "maybe"}),
            json!({"hookSpecificOutput": "deny"}),
        ] {
            let v = gate_verdicts(
                &env,
                &[delivery(
                    Outcome::Delivered,
                    Some(bad.clone()),
                    FailMode::Closed,
                )],
            );
            let o = out(&merge(&env, &v));
            assert_eq!(
                o["hookSpecificOutput"]["permissionDecision"], "deny",
                "{bad}"
            );
            let reason = o["hookSpecificOutput"]["permissionDecisionReason"]
                .as_str()
                .unwrap();
            assert!(reason.contains("`sec` answered an invalid "), "{reason}");
            let v = gate_verdicts(
                &env,
                &[delivery(
                    Outcome::Delivered,
                    Some(bad.clone()),
                    FailMode::Open,
                )],
            );
            assert!(merge(&env, &v).stdout.is_none(), "{bad}");
        }
        // A valid answer is used as given; `{}` is no opinion.
        let v = gate_verdicts(
            &env,
            &[delivery(
                Outcome::Delivered,
                Some(pre("ask", "why")),
                FailMode::Closed,
            )],
        );
        assert_eq!(
            out(&merge(&env, &v))["hookSpecificOutput"]["permissionDecision"],
            "ask"
        );
        let v = gate_verdicts(
            &env,
            &[delivery(
                Outcome::Delivered,
                Some(json!({})),
                FailMode::Closed,
            )],
        );
        let a = merge(&env, &v);
        assert!(a.stdout.is_none() && a.record.is_none());
        // Not a gate: never an opinion.
        let mut plain = delivery(down(), None, FailMode::Closed);
        plain.gate = None;
        assert!(gate_verdicts(&env, &[plain]).is_empty());
        // Stop is never held by a gate that is down.
        let stop = fixture("Stop");
        assert!(gate_verdicts(&stop, &[delivery(down(), None, FailMode::Closed)]).is_empty());
        let ups = fixture("UserPromptSubmit");
        let v = gate_verdicts(&ups, &[delivery(down(), None, FailMode::Closed)]);
        assert_eq!(out(&merge(&ups, &v))["decision"], "block");
    }

    #[test]
    fn an_invalid_field_only_fails_closed_where_the_gate_and_the_event_both_do() {
        // PostToolUse does not fail closed: a closed gate's bad `decision` is
        // dropped and the rest of its answer still reaches Claude Code.
        let post = fixture("PostToolUse");
        let answer = json!({"decision": "maybe",
            "hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": "ctx"}});
        let v = gate_verdicts(
            &post,
            &[delivery(
                Outcome::Delivered,
                Some(answer.clone()),
                FailMode::Closed,
            )],
        );
        let o = out(&merge(&post, &v));
        assert_eq!(o["hookSpecificOutput"]["additionalContext"], "ctx", "{o}");
        assert!(o.get("decision").is_none(), "{o}");
        // A fail-open gate keeps its valid fields on an event that fails closed.
        let env = fixture("PreToolUse");
        let answer = json!({"hookSpecificOutput": {"hookEventName": "PreToolUse",
            "permissionDecision": "Deny", "additionalContext": "ctx"}});
        let v = gate_verdicts(
            &env,
            &[delivery(Outcome::Delivered, Some(answer), FailMode::Open)],
        );
        let o = out(&merge(&env, &v));
        assert_eq!(o["hookSpecificOutput"]["additionalContext"], "ctx", "{o}");
        assert!(
            o["hookSpecificOutput"].get("permissionDecision").is_none(),
            "{o}"
        );
    }
}
