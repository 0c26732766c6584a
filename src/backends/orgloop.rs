//! OrgLoop's claude-code webhook source (`contracts/orgloop.md`).

use serde::Deserialize;

use super::{Backend, EventSet, HttpResponse, Outcome, Request};
use crate::event::Envelope;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgloopConfig {
    pub url: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    pub events: Option<EventSet>,
}

impl OrgloopConfig {
    pub fn apply_env(
        _slot: &mut Option<OrgloopConfig>,
        _env: &dyn Fn(&str) -> Option<String>,
        _warnings: &mut [String],
    ) {
    }
}

pub struct Orgloop {
    config: OrgloopConfig,
}

impl Orgloop {
    pub fn new(config: OrgloopConfig) -> Orgloop {
        Orgloop { config }
    }
}

impl Backend for Orgloop {
    fn name(&self) -> &str {
        "orgloop"
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
