//! The one table of Claude Code's hook events: every fact hookrelay keys on an
//! event name for lives in a row here (decision shape, honoured output fields,
//! fail-closed gates, install defaults, session counting, ...).
//!
//! Adding an event is one row in `hook_events!` below plus its captured sample in
//! `hooks/events/<Name>.json` (the row embeds it; the build fails without it).
//!
//! Unknown (future) event names stay accepted everywhere: code takes the `&str`
//! name, looks it up with [`HookEvent::from_name`] or [`spec_of`], and treats
//! `None` the way an event with no special meaning is treated.
//!
//! ```text
//! use crate::protocol::events::{self, HookEvent};
//! if HookEvent::SessionEnd.is(name) { /* ... */ }
//! match HookEvent::from_name(name) {
//!     Some(HookEvent::PreToolUse) => { /* ... */ }
//!     _ => { /* unknown or uninteresting */ }
//! }
//! let honoured = events::spec_of(name).map_or(&[][..], |s| s.fields);
//! ```

use serde_json::Value;

/// How an event takes a decision (what a deny/block looks like on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionShape {
    /// `hookSpecificOutput.permissionDecision`; `defer` is allowed only where
    /// Claude Code knows it (PreToolUse, not PreModelSwitch).
    Permission { defer: bool },
    /// `hookSpecificOutput.decision.behavior` allow | deny.
    PermissionRequest,
    /// Top-level `decision: "block"` + `reason`.
    Block,
    /// `hookSpecificOutput.action` accept | cancel | decline.
    Elicitation,
    /// No decision; context or side effects only.
    None,
}

/// The JSON type an output field must have to be passed on to Claude Code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Bool,
    Object,
    /// Anything but `null`.
    Any,
    /// An array of strings.
    Strings,
    /// One of these strings.
    OneOf(&'static [&'static str]),
}

impl FieldType {
    pub fn accepts(self, v: &Value) -> bool {
        match self {
            FieldType::Str => v.is_string(),
            FieldType::Bool => v.is_boolean(),
            FieldType::Object => v.is_object(),
            FieldType::Any => !v.is_null(),
            FieldType::Strings => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            FieldType::OneOf(set) => v.as_str().is_some_and(|s| set.contains(&s)),
        }
    }
}

/// A `hookSpecificOutput` field an event honours, and its type.
pub type Field = (&'static str, FieldType);

/// Named sets of `hookrelay install --events` (besides `all` and single names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallSet {
    /// `--events tools`: the five tool events.
    Tools,
    /// `--events lifecycle`: session lifecycle events.
    Lifecycle,
}

impl InstallSet {
    /// The word the user types after `--events`.
    pub fn word(self) -> &'static str {
        match self {
            InstallSet::Tools => "tools",
            InstallSet::Lifecycle => "lifecycle",
        }
    }
}

/// What an event means for the per-session counters (`enrich::session`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionRole {
    /// Opens a session: abandoned sessions are cleaned up here.
    Start,
    /// Closes it: the counters are returned with the last message, then deleted.
    End,
    /// A tool call: counted per tool; duplicates spotted by `tool_use_id`.
    ToolCall,
    /// A user prompt: one turn; duplicates spotted by `prompt_id`.
    Prompt,
    /// The main thread's turn ended: its last assistant message is kept.
    TurnEnd,
    /// Counted in `events` only.
    Other,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct EventSpec {
    pub event: HookEvent,
    /// The name as Claude Code spells it in `hook_event_name` and settings.json.
    pub name: &'static str,
    /// A HookInput captured from Claude Code (`hooks/events/<name>.json`), for
    /// `hookrelay send` and the tests.
    pub sample: &'static str,
    pub decision: DecisionShape,
    /// An unreachable fail-closed gate denies/blocks on this event. Left out on
    /// purpose: Post* events (the tool already ran), Stop/SubagentStop (a block
    /// keeps the session going, the opposite of closed) and PreCompact (a block
    /// can leave the session without room to continue).
    pub fails_closed: bool,
    /// The `hookSpecificOutput` fields honoured (besides `hookEventName`).
    pub fields: &'static [Field],
    /// `install --events all` wires it. Off for events whose command hook
    /// *replaces* Claude Code's own behaviour (WorktreeCreate must print the new
    /// worktree's path; WorktreeRemove replaces the removal): a relay answering
    /// nothing would break worktrees.
    pub installed_by_default: bool,
    /// The named `--events` sets it belongs to.
    pub install_sets: &'static [InstallSet],
    /// Its settings entry gets `"matcher": "*"`; events that ignore a matcher get
    /// no `matcher` key. (Which input field a matcher is compared against is not
    /// kept: hookrelay always matches everything, so nothing keys on it.)
    pub takes_matcher: bool,
    pub session: SessionRole,
    /// Carries `stop_hook_active`: once a hook kept the session going, hookrelay
    /// must not hold it again (no block, no added context).
    pub stop_hook_loop: bool,
    /// The hook's stdout is read as a JSON answer. WorktreeCreate reads a path.
    pub answers_json: bool,
    /// All hooks of this event share Claude Code's short exit budget (1.5 s,
    /// raised to the largest `timeout` of this event, up to 60 s): SessionEnd.
    pub shared_exit_budget: bool,
    /// Comes before anything runs, or only reports, so a work-tree change just
    /// before it can only come from outside Claude Code: a recent git dirty flag
    /// may be reused. Events after a tool or a turn look again.
    pub reuses_git_dirty: bool,
}

/// The values every row starts from; rows below name only what differs.
/// `event`, `name` and `sample` are always set by the row itself.
const ROW: EventSpec = EventSpec {
    event: HookEvent::PreToolUse,
    name: "",
    sample: "",
    decision: DecisionShape::None,
    fails_closed: false,
    fields: &[],
    installed_by_default: true,
    install_sets: &[],
    takes_matcher: true,
    session: SessionRole::Other,
    stop_hook_loop: false,
    answers_json: true,
    shared_exit_budget: false,
    reuses_git_dirty: false,
};

/// Generates `HookEvent` and `EVENTS` from one list, so the enum, the names and
/// the samples cannot drift apart.
macro_rules! hook_events {
    ($( $(#[doc = $doc:literal])* $variant:ident { $($field:ident: $value:expr),* $(,)? } )*) => {
        /// Claude Code's hook events, in SDK declaration order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum HookEvent {
            $( $(#[doc = $doc])* $variant, )*
        }

        /// The table, one row per event, in `HookEvent` order.
        pub const EVENTS: &[EventSpec] = &[
            $( EventSpec {
                event: HookEvent::$variant,
                name: stringify!($variant),
                sample: include_str!(concat!("../../hooks/events/", stringify!($variant), ".json")),
                $( $field: $value, )*
                ..ROW
            }, )*
        ];
    };
}

use DecisionShape as D;
use FieldType as T;
use InstallSet::{Lifecycle, Tools};

const CONTEXT: Field = ("additionalContext", T::Str);

// The 33 hook events of Claude Code 2.1.330 (SDK `HOOK_EVENTS`, declaration order).
hook_events! {
    PreToolUse {
        decision: D::Permission { defer: true },
        fails_closed: true,
        fields: &[
            ("permissionDecision", T::OneOf(&["allow", "deny", "ask", "defer"])),
            ("permissionDecisionReason", T::Str),
            ("updatedInput", T::Object),
            CONTEXT,
        ],
        install_sets: &[Tools],
        session: SessionRole::ToolCall,
        reuses_git_dirty: true,
    }
    PostToolUse {
        decision: D::Block,
        fields: &[
            CONTEXT,
            ("updatedToolOutput", T::Any),
            ("updatedMCPToolOutput", T::Any),
            ("classifierContext", T::Str),
        ],
        install_sets: &[Tools],
    }
    PostToolUseFailure {
        decision: D::Block,
        fields: &[CONTEXT],
        install_sets: &[Tools],
    }
    PostToolBatch {
        decision: D::Block,
        fields: &[CONTEXT],
        takes_matcher: false,
    }
    Notification {
        fields: &[CONTEXT],
        reuses_git_dirty: true,
    }
    UserPromptSubmit {
        decision: D::Block,
        fails_closed: true,
        fields: &[
            CONTEXT,
            ("sessionTitle", T::Str),
            ("suppressOriginalPrompt", T::Bool),
        ],
        takes_matcher: false,
        session: SessionRole::Prompt,
        reuses_git_dirty: true,
    }
    UserPromptExpansion {
        decision: D::Block,
        fails_closed: true,
        fields: &[CONTEXT, ("suppressOriginalPrompt", T::Bool)],
        reuses_git_dirty: true,
    }
    SessionStart {
        fields: &[
            CONTEXT,
            ("initialUserMessage", T::Str),
            ("sessionTitle", T::Str),
            ("watchPaths", T::Strings),
            ("reloadSkills", T::Bool),
        ],
        install_sets: &[Lifecycle],
        session: SessionRole::Start,
    }
    SessionEnd {
        install_sets: &[Lifecycle],
        session: SessionRole::End,
        shared_exit_budget: true,
    }
    Stop {
        decision: D::Block,
        fields: &[CONTEXT],
        install_sets: &[Lifecycle],
        takes_matcher: false,
        session: SessionRole::TurnEnd,
        stop_hook_loop: true,
    }
    StopFailure {
        install_sets: &[Lifecycle],
        session: SessionRole::TurnEnd,
    }
    SubagentStart {
        fields: &[CONTEXT],
        install_sets: &[Lifecycle],
        reuses_git_dirty: true,
    }
    SubagentStop {
        decision: D::Block,
        fields: &[CONTEXT],
        install_sets: &[Lifecycle],
        stop_hook_loop: true,
    }
    PreCompact {
        decision: D::Block,
        reuses_git_dirty: true,
    }
    PostCompact {
        reuses_git_dirty: true,
    }
    PreModelSwitch {
        decision: D::Permission { defer: false },
        fails_closed: true,
        fields: &[
            ("permissionDecision", T::OneOf(&["allow", "deny", "ask"])),
            ("permissionDecisionReason", T::Str),
        ],
        reuses_git_dirty: true,
    }
    PostModelSwitch {
        fields: &[CONTEXT],
        reuses_git_dirty: true,
    }
    PermissionRequest {
        decision: D::PermissionRequest,
        fails_closed: true,
        fields: &[("decision", T::Object)],
        install_sets: &[Tools],
        reuses_git_dirty: true,
    }
    PermissionDenied {
        fields: &[("retry", T::Bool)],
        install_sets: &[Tools],
        reuses_git_dirty: true,
    }
    Setup {
        fields: &[CONTEXT],
        install_sets: &[Lifecycle],
        reuses_git_dirty: true,
    }
    TeammateIdle {
        takes_matcher: false,
        reuses_git_dirty: true,
    }
    TaskCreated {
        decision: D::Block,
        fails_closed: true,
        takes_matcher: false,
        reuses_git_dirty: true,
    }
    TaskCompleted {
        takes_matcher: false,
    }
    Elicitation {
        decision: D::Elicitation,
        fails_closed: true,
        fields: ELICITATION_FIELDS,
        reuses_git_dirty: true,
    }
    ElicitationResult {
        decision: D::Elicitation,
        fails_closed: true,
        fields: ELICITATION_FIELDS,
        reuses_git_dirty: true,
    }
    ConfigChange {
        decision: D::Block,
        fails_closed: true,
        reuses_git_dirty: true,
    }
    WorktreeCreate {
        installed_by_default: false,
        takes_matcher: false,
        answers_json: false,
    }
    WorktreeRemove {
        installed_by_default: false,
        takes_matcher: false,
    }
    InstructionsLoaded {
        reuses_git_dirty: true,
    }
    CwdChanged {
        fields: &[("watchPaths", T::Strings)],
        takes_matcher: false,
    }
    FileChanged {
        fields: &[("watchPaths", T::Strings)],
    }
    DirectoryAdded {
        reuses_git_dirty: true,
    }
    MessageDisplay {
        fields: &[("displayContent", T::Str)],
        takes_matcher: false,
        reuses_git_dirty: true,
    }
}

const ELICITATION_FIELDS: &[Field] = &[
    ("action", T::OneOf(&["accept", "decline", "cancel"])),
    ("content", T::Object),
];

impl HookEvent {
    /// The event called exactly `name` (case-sensitive, as Claude Code sends it);
    /// `None` for names this table does not know (e.g. newer events).
    pub fn from_name(name: &str) -> Option<HookEvent> {
        spec_of(name).map(|s| s.event)
    }

    /// The event whose name equals `name` ignoring ASCII case (for hints and
    /// forgiving command-line input).
    pub fn from_name_ignore_case(name: &str) -> Option<HookEvent> {
        EVENTS
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.event)
    }

    /// The name as Claude Code spells it.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// This event's row of the table.
    pub fn spec(self) -> &'static EventSpec {
        &EVENTS[self as usize]
    }

    /// Is `name` this event? (`HookEvent::SessionEnd.is(&input.hook_event_name)`)
    pub fn is(self, name: &str) -> bool {
        self.name() == name
    }
}

impl std::fmt::Display for HookEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The row of the event called `name`, if it is a known event.
pub fn spec_of(name: &str) -> Option<&'static EventSpec> {
    EVENTS.iter().find(|s| s.name == name)
}

/// Every event name, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    EVENTS.iter().map(|s| s.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/events")
    }

    #[test]
    fn an_any_field_takes_every_value_but_null() {
        // `updatedToolOutput` (Any) may be a string, an object, a number...
        use serde_json::json;
        for v in [
            json!("x"),
            json!({"a": 1}),
            json!(0),
            json!(false),
            json!([]),
        ] {
            assert!(FieldType::Any.accepts(&v), "{v}");
        }
        assert!(!FieldType::Any.accepts(&Value::Null));
    }

    #[test]
    fn rows_are_in_enum_order_and_names_are_unique() {
        assert_eq!(EVENTS.len(), 33);
        for (i, s) in EVENTS.iter().enumerate() {
            assert_eq!(s.event as usize, i, "{}", s.name);
            assert_eq!(HookEvent::from_name(s.name), Some(s.event));
            assert_eq!(s.event.name(), s.name);
            assert!(s.event.is(s.name));
        }
        assert_eq!(HookEvent::from_name("FutureEvent"), None);
        assert_eq!(HookEvent::from_name("stop"), None);
        assert_eq!(
            HookEvent::from_name_ignore_case("stop"),
            Some(HookEvent::Stop)
        );
    }

    #[test]
    fn every_sample_file_names_an_event_in_the_table() {
        for entry in std::fs::read_dir(sample_dir()).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                spec_of(&stem).is_some(),
                "{} names `{stem}`, which is not in the events table; add a row to hook_events! in src/protocol/events.rs",
                path.display()
            );
            let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(v["hook_event_name"], stem.as_str(), "{}", path.display());
        }
    }

    #[test]
    fn every_event_in_the_table_has_a_sample_file() {
        for s in EVENTS {
            let path = sample_dir().join(format!("{}.json", s.name));
            assert!(
                path.is_file(),
                "{} has no sample: add {}",
                s.name,
                path.display()
            );
            let v: Value = serde_json::from_str(s.sample).unwrap();
            assert_eq!(v["hook_event_name"], s.name);
        }
    }

    #[test]
    fn fail_closed_only_where_a_decision_exists() {
        for s in EVENTS {
            if s.fails_closed {
                assert_ne!(s.decision, DecisionShape::None, "{}", s.name);
            }
        }
    }
}
