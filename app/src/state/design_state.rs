//! [`DesignState`]: the design being built and the sources text behind each service.

use std::collections::BTreeMap;

use portcullis_engine::design::{Design, ServiceId, Source};
use portcullis_engine::export::save;
use portcullis_engine::model::Family;

/// What the user has typed for one service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ServiceDraft {
    /// Whether the service is ticked.
    open: bool,
    /// The trusted sources exactly as typed.
    sources_text: String,
    /// The engine's message about `sources_text`, while it does not parse.
    error: Option<String>,
    /// The sources of the last text that parsed: what the design uses.
    valid_sources: Vec<Source>,
}

/// Everything the page shows: the design, and for each service the text being typed.
///
/// The design only ever receives sources the engine accepted: while the text is invalid the
/// service keeps its last valid sources, so a typo never changes the generated rules.
#[derive(Debug, Clone, Default)]
pub(crate) struct DesignState {
    design: Design,
    drafts: BTreeMap<ServiceId, ServiceDraft>,
}

impl DesignState {
    /// Ticks (`open = true`) or unticks `service`. A ticked service is open to its last valid
    /// sources, or to everyone when there are none.
    pub(crate) fn set_open(&mut self, service: ServiceId, open: bool) {
        let draft = self.drafts.entry(service).or_default();
        draft.open = open;
        self.sync_design(service);
    }

    /// Records the sources text typed for `service`. Text the engine accepts replaces the
    /// service's sources; other text only sets the error message.
    pub(crate) fn edit_sources(&mut self, service: ServiceId, text: &str) {
        let draft = self.drafts.entry(service).or_default();
        text.clone_into(&mut draft.sources_text);
        match Source::parse_list(text) {
            Ok(sources) => {
                draft.valid_sources = sources;
                draft.error = None;
            }
            Err(error) => draft.error = Some(error.to_string()),
        }
        self.sync_design(service);
    }

    /// Whether `service` is ticked.
    pub(crate) fn is_open(&self, service: ServiceId) -> bool {
        self.drafts.get(&service).is_some_and(|draft| draft.open)
    }

    /// The sources text as the user typed it for `service`.
    pub(crate) fn sources_text(&self, service: ServiceId) -> &str {
        self.drafts
            .get(&service)
            .map_or("", |draft| &draft.sources_text)
    }

    /// Why the sources text of `service` was refused, while it is.
    pub(crate) fn sources_error(&self, service: ServiceId) -> Option<&str> {
        self.drafts
            .get(&service)
            .and_then(|draft| draft.error.as_deref())
    }

    /// The design built so far.
    #[cfg(test)]
    pub(crate) fn design(&self) -> &Design {
        &self.design
    }

    /// The `rules.v4` or `rules.v6` file this design compiles to.
    pub(crate) fn rules_text(&self, family: Family) -> String {
        save::render(&self.design.compile(family))
    }

    fn sync_design(&mut self, service: ServiceId) {
        match self.drafts.get(&service) {
            Some(draft) if draft.open => self.design.allow(service, draft.valid_sources.clone()),
            _ => self.design.close(service),
        }
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::design::Access;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn source(text: &str) -> Source {
        text.parse().unwrap_or_else(|error| panic!("{error}"))
    }

    #[wasm_bindgen_test]
    fn ticking_opens_to_everyone_and_unticking_closes() {
        let mut state = DesignState::default();
        state.set_open(ServiceId::SSH, true);
        assert!(state.is_open(ServiceId::SSH));
        assert_eq!(
            state.design().access(ServiceId::SSH),
            Some(&Access::Everyone)
        );
        state.set_open(ServiceId::SSH, false);
        assert!(!state.is_open(ServiceId::SSH));
        assert_eq!(state.design().access(ServiceId::SSH), None);
    }

    #[wasm_bindgen_test]
    fn a_bad_text_keeps_the_last_valid_sources() {
        let mut state = DesignState::default();
        state.set_open(ServiceId::SSH, true);
        state.edit_sources(ServiceId::SSH, "203.0.113.7");
        state.edit_sources(ServiceId::SSH, "203.0.113.7/24");
        assert_eq!(state.sources_text(ServiceId::SSH), "203.0.113.7/24");
        assert!(state
            .sources_error(ServiceId::SSH)
            .is_some_and(|error| error.contains("host bits")));
        let expected = Access::from_sources(vec![source("203.0.113.7")]);
        assert_eq!(state.design().access(ServiceId::SSH), Some(&expected));
        state.edit_sources(ServiceId::SSH, "");
        assert_eq!(state.sources_error(ServiceId::SSH), None);
        assert_eq!(
            state.design().access(ServiceId::SSH),
            Some(&Access::Everyone)
        );
    }

    #[wasm_bindgen_test]
    fn sources_survive_unticking_and_ticking_again() {
        let mut state = DesignState::default();
        state.set_open(ServiceId::MYSQL, true);
        state.edit_sources(ServiceId::MYSQL, "198.51.100.0/24");
        state.set_open(ServiceId::MYSQL, false);
        assert_eq!(state.design().access(ServiceId::MYSQL), None);
        state.set_open(ServiceId::MYSQL, true);
        let expected = Access::from_sources(vec![source("198.51.100.0/24")]);
        assert_eq!(state.design().access(ServiceId::MYSQL), Some(&expected));
    }

    #[wasm_bindgen_test]
    fn text_typed_while_unticked_opens_nothing() {
        let mut state = DesignState::default();
        state.edit_sources(ServiceId::HTTP, "203.0.113.7");
        assert_eq!(state.design().access(ServiceId::HTTP), None);
        assert!(!state.rules_text(Family::V4).contains("--dport 80"));
    }

    #[wasm_bindgen_test]
    fn rules_text_is_the_engine_export() {
        let mut state = DesignState::default();
        state.set_open(ServiceId::HTTPS, true);
        let mut design = Design::default();
        design.allow(ServiceId::HTTPS, vec![]);
        for family in Family::ALL {
            assert_eq!(
                state.rules_text(family),
                save::render(&design.compile(family))
            );
        }
    }
}
