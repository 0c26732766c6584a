//! `hookrelay install` / `uninstall`: merges hookrelay's entries into Claude Code's
//! settings.json without touching anything else.
