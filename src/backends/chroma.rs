//! The Claude Hooks System ChromaDB bridge, `POST /ingest` schema 1.0 (`contracts/chroma-bridge.md`).

use serde::Deserialize;

use super::{Backend, EventSet, HttpResponse, Outcome, Request};
use crate::event::Envelope;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChromaConfig {
    pub url: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
    pub events: Option<EventSet>,
}

impl ChromaConfig {
    pub fn apply_env(
        _slot: &mut Option<ChromaConfig>,
        _env: &dyn Fn(&str) -> Option<String>,
        _warnings: &mut [String],
    ) {
    }
}

pub struct Chroma {
    config: ChromaConfig,
}

impl Chroma {
    pub fn new(config: ChromaConfig) -> Chroma {
        Chroma { config }
    }
}

impl Backend for Chroma {
    fn name(&self) -> &str {
        "chroma"
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
