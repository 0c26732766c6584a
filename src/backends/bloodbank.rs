//! Bloodbank's `/events/claude-code/*` routes (`contracts/bloodbank.md`).

use serde::Deserialize;

use super::{Backend, EventSet, HttpResponse, Outcome, Request};
use crate::event::Envelope;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BloodbankConfig {
    pub url: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    pub events: Option<EventSet>,
}

impl BloodbankConfig {
    pub fn apply_env(
        _slot: &mut Option<BloodbankConfig>,
        _env: &dyn Fn(&str) -> Option<String>,
        _warnings: &mut [String],
    ) {
    }
}

pub struct Bloodbank {
    config: BloodbankConfig,
}

impl Bloodbank {
    pub fn new(config: BloodbankConfig) -> Bloodbank {
        Bloodbank { config }
    }
}

impl Backend for Bloodbank {
    fn name(&self) -> &str {
        "bloodbank"
    }

    fn wants(&self, event: &str) -> bool {
        self.config
            .events
            .as_ref()
            .is_none_or(|e| e.contains(event))
    }

    fn request(&self, _env: &Envelope) -> Option<Request> {
        let _ = &self.config.url;
        None
    }

    fn classify(&self, resp: &HttpResponse) -> Outcome {
        match resp.status {
            200..=299 => Outcome::Delivered,
            s => Outcome::Retry(format!("{s}")),
        }
    }
}
