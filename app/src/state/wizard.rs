//! [`Wizard`]: the design being built, the text being typed, the current step, and undo/redo.
//!
//! The design only ever receives values the engine accepted: while a field's text is invalid the
//! field keeps its text and its message, and the design keeps its last valid value, so a typo
//! never changes the generated rules.

use portcullis_engine::collections::SortedMap;
use portcullis_engine::design::{Access, CustomService, Design, Name, PortList, Preset, Protections, ServiceId, Source, Transport};

use super::history::History;

#[path = "advanced.rs"]
mod advanced;
#[path = "containers.rs"]
mod containers;

pub(crate) use advanced::{parse_host, parse_interface, parse_interfaces, parse_network, parse_port, parse_sources, ForwardText};
pub(crate) use containers::ContainersKind;

/// The five steps of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) enum Step {
    #[default]
    Start,
    Services,
    Access,
    Protections,
    Review,
}

impl Step {
    pub(crate) const ALL: [Step; 5] = [Step::Start, Step::Services, Step::Access, Step::Protections, Step::Review];

    /// The label in the step list.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Step::Start => "Start",
            Step::Services => "Services",
            Step::Access => "Who may connect",
            Step::Protections => "Protections",
            Step::Review => "Review & export",
        }
    }

    /// The id used in test ids and element ids.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Step::Start => "start",
            Step::Services => "services",
            Step::Access => "access",
            Step::Protections => "protections",
            Step::Review => "review",
        }
    }

    pub(crate) fn next(self) -> Option<Step> {
        Step::ALL.iter().position(|step| *step == self).and_then(|at| Step::ALL.get(at + 1)).copied()
    }

    pub(crate) fn previous(self) -> Option<Step> {
        Step::ALL.iter().position(|step| *step == self).and_then(|at| at.checked_sub(1)).and_then(|at| Step::ALL.get(at)).copied()
    }
}

/// A service the design can open: from the catalogue, or one of the design's custom services.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ServiceKey {
    Catalogue(ServiceId),
    Custom(Name),
}

impl ServiceKey {
    /// A stable id for element ids and test ids: `ssh`, `custom-game`.
    pub(crate) fn slug(&self) -> String {
        match self {
            ServiceKey::Catalogue(id) => id.as_str().to_owned(),
            ServiceKey::Custom(name) => format!("custom-{name}"),
        }
    }

    /// The name people read.
    pub(crate) fn label(&self) -> String {
        match self {
            ServiceKey::Catalogue(id) => id.info().name().to_owned(),
            ServiceKey::Custom(name) => name.to_string(),
        }
    }
}

/// Text typed in one field, and the engine's message while it is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Draft {
    text: String,
    error: Option<String>,
}

/// Everything the wizard shows, as plain data.
#[derive(Debug, Clone, Default)]
pub(crate) struct Wizard {
    design: Design,
    history: History<Design>,
    /// Text typed per field id (`sources-ssh`, `group-office`, `block-list`).
    drafts: SortedMap<String, Draft>,
    step: Step,
    /// Bumped whenever the design is replaced as a whole (undo, redo, open, preset): fields then
    /// show the design's values again instead of what was typed.
    revision: u64,
}

impl Wizard {
    /// A wizard on `design`, at the first step.
    pub(crate) fn with_design(design: Design) -> Self {
        Self { design, ..Self::default() }
    }

    pub(crate) fn design(&self) -> &Design {
        &self.design
    }

    pub(crate) fn step(&self) -> Step {
        self.step
    }

    pub(crate) fn go_to(&mut self, step: Step) {
        self.step = step;
    }

    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    pub(crate) fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub(crate) fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Applies `edit` to the design and records the design before it for undo, if it changed.
    fn change<R>(&mut self, field: Option<&str>, edit: impl FnOnce(&mut Design) -> R) -> R {
        let before = self.design.clone();
        let result = edit(&mut self.design);
        if self.design != before {
            self.history.record(before, field);
        }
        result
    }

    /// Replaces the design as a whole, as an undoable step.
    fn replace(&mut self, design: Design) {
        self.change(None, |current| *current = design);
        self.drafts.clear();
        self.revision += 1;
    }

    /// Starts over from a server-role preset and moves on to the services.
    pub(crate) fn start_from(&mut self, preset: Preset) {
        self.replace(preset.design());
        self.step = Step::Services;
    }

    /// Opens a design read from a file, a link or storage; undo returns to the previous one.
    pub(crate) fn open(&mut self, design: Design) {
        self.replace(design);
    }

    /// Opens a design with a fresh history (switching between saved designs).
    pub(crate) fn switch_to(&mut self, design: Design) {
        self.design = design;
        self.history.clear();
        self.drafts.clear();
        self.revision += 1;
    }

    pub(crate) fn undo(&mut self) {
        if let Some(previous) = self.history.undo(self.design.clone()) {
            self.design = previous;
            self.drafts.clear();
            self.revision += 1;
        }
    }

    pub(crate) fn redo(&mut self) {
        if let Some(next) = self.history.redo(self.design.clone()) {
            self.design = next;
            self.drafts.clear();
            self.revision += 1;
        }
    }

    // --- services -------------------------------------------------------------------------

    /// Who may reach `key`, or `None` while it is closed.
    pub(crate) fn access(&self, key: &ServiceKey) -> Option<Access> {
        match key {
            ServiceKey::Catalogue(id) => self.design.access(*id).cloned(),
            ServiceKey::Custom(name) => self.design.custom_services().find(|(service, _)| service.name() == name).map(|(_, access)| access.clone()),
        }
    }

    pub(crate) fn is_open(&self, key: &ServiceKey) -> bool {
        self.access(key).is_some()
    }

    /// Opens (to everyone) or closes a catalogue service.
    pub(crate) fn set_open(&mut self, service: ServiceId, open: bool) {
        self.change(None, |design| {
            if open {
                if design.access(service).is_none() {
                    design.allow(service, Vec::new());
                }
            } else {
                design.close(service);
            }
        });
        self.drafts.remove(&sources_field(&ServiceKey::Catalogue(service)));
        if !open {
            self.forget_interfaces_text(&ServiceKey::Catalogue(service));
        }
    }

    /// Sets who may reach an open service.
    fn set_access(&mut self, key: &ServiceKey, access: Access, field: Option<&str>) -> Result<(), String> {
        self.change(field, |design| match key {
            ServiceKey::Catalogue(id) => design.allow_access(*id, access).map_err(|error| error.to_string()),
            ServiceKey::Custom(name) => {
                // Re-adding the service forgets its interfaces: keep them.
                let interfaces = design.custom_interfaces(name).to_vec();
                let Some(service) = design.remove_custom_service(name) else { return Err(format!("{name} is not in the design")) };
                design.add_custom_service(service, access).map_err(|error| error.to_string())?;
                design.limit_custom_to_interfaces(name, interfaces).map_err(|error| error.to_string())
            }
        })
    }

    /// The sources typed for `key` (or the design's, when nothing was typed since the last
    /// revision).
    pub(crate) fn sources_text(&self, key: &ServiceKey) -> String {
        let field = sources_field(key);
        self.drafts
            .get(&field)
            .map_or_else(|| self.access(key).map_or_else(String::new, |access| Source::list_text(access.sources())), |draft| draft.text.clone())
    }

    pub(crate) fn sources_error(&self, key: &ServiceKey) -> Option<String> {
        self.drafts.get(&sources_field(key)).and_then(|draft| draft.error.clone())
    }

    /// Records the sources typed for an open service; text the engine accepts replaces the
    /// service's inline sources (empty, with no group: everyone).
    pub(crate) fn edit_sources(&mut self, key: &ServiceKey, text: &str) {
        let field = sources_field(key);
        let parsed = Source::parse_list(text).map_err(|error| error.to_string());
        let error = match (parsed, self.access(key)) {
            (Ok(sources), Some(access)) => self.set_access(key, Access::only(access.groups().to_vec(), sources), Some(&field)).err(),
            (Ok(_), None) => None,
            (Err(error), _) => Some(error),
        };
        self.drafts.insert(field, Draft { text: text.to_owned(), error });
    }

    /// Adds or removes a group from an open service's trusted sources.
    pub(crate) fn set_group_access(&mut self, key: &ServiceKey, group: &Name, allowed: bool) -> Result<(), String> {
        let Some(access) = self.access(key) else { return Ok(()) };
        let mut groups = access.groups().to_vec();
        groups.retain(|name| name != group);
        if allowed {
            groups.push(group.clone());
        }
        self.set_access(key, Access::only(groups, access.sources().to_vec()), None)
    }

    /// Adds a custom service, open to everyone. Errors are the engine's messages.
    pub(crate) fn add_custom(&mut self, name: &str, transport: Transport, ports: &str) -> Result<(), String> {
        let name: Name = name.trim().parse().map_err(|error: portcullis_engine::design::NameError| error.to_string())?;
        if self.design.custom_services().any(|(service, _)| service.name() == &name) {
            return Err(format!("there is already a custom service called {name}"));
        }
        let ports: PortList = ports.parse().map_err(|error: portcullis_engine::design::PortListError| error.to_string())?;
        let service = CustomService::new(name, transport, ports);
        self.change(None, |design| design.add_custom_service(service, Access::Everyone)).map_err(|error| error.to_string())
    }

    pub(crate) fn remove_custom(&mut self, name: &Name) {
        self.change(None, |design| design.remove_custom_service(name));
        self.drafts.remove(&sources_field(&ServiceKey::Custom(name.clone())));
        self.forget_interfaces_text(&ServiceKey::Custom(name.clone()));
    }

    /// Every open or custom service, catalogue services first.
    pub(crate) fn service_keys(&self) -> Vec<ServiceKey> {
        let open = self.design.services().map(|(id, _)| ServiceKey::Catalogue(id));
        open.chain(self.design.custom_services().map(|(service, _)| ServiceKey::Custom(service.name().clone()))).collect()
    }

    // --- groups ---------------------------------------------------------------------------

    pub(crate) fn group_names(&self) -> Vec<Name> {
        self.design.groups().map(|(name, _)| name.clone()).collect()
    }

    /// Creates an empty group.
    pub(crate) fn add_group(&mut self, name: &str) -> Result<Name, String> {
        let name: Name = name.trim().parse().map_err(|error: portcullis_engine::design::NameError| error.to_string())?;
        if self.design.group(&name).is_some() {
            return Err(format!("there is already a group called {name}"));
        }
        self.change(None, |design| design.set_group(name.clone(), Vec::new()));
        Ok(name)
    }

    pub(crate) fn remove_group(&mut self, name: &Name) -> Result<(), String> {
        self.change(None, |design| design.remove_group(name)).map_err(|error| error.to_string())?;
        self.drafts.remove(&group_field(name));
        Ok(())
    }

    pub(crate) fn group_text(&self, name: &Name) -> String {
        self.drafts.get(&group_field(name)).map_or_else(|| self.design.group(name).map_or_else(String::new, Source::list_text), |draft| draft.text.clone())
    }

    pub(crate) fn group_error(&self, name: &Name) -> Option<String> {
        self.drafts.get(&group_field(name)).and_then(|draft| draft.error.clone())
    }

    pub(crate) fn edit_group(&mut self, name: &Name, text: &str) {
        let field = group_field(name);
        let error = match Source::parse_list(text) {
            Ok(sources) => {
                self.change(Some(&field), |design| design.set_group(name.clone(), sources));
                None
            }
            Err(error) => Some(error.to_string()),
        };
        self.drafts.insert(field, Draft { text: text.to_owned(), error });
    }

    // --- protections ----------------------------------------------------------------------

    pub(crate) fn protections(&self) -> &Protections {
        self.design.protections()
    }

    /// Changes the protections; numbers out of range are refused with the engine's message.
    pub(crate) fn set_protections(&mut self, protections: Protections) -> Result<(), String> {
        protections.validate()?;
        self.change(None, |design| design.set_protections(protections))
    }

    pub(crate) fn block_list_text(&self) -> String {
        self.drafts.get(BLOCK_LIST_FIELD).map_or_else(|| Source::list_text(self.design.block_list()), |draft| draft.text.clone())
    }

    pub(crate) fn block_list_error(&self) -> Option<String> {
        self.drafts.get(BLOCK_LIST_FIELD).and_then(|draft| draft.error.clone())
    }

    pub(crate) fn edit_block_list(&mut self, text: &str) {
        let error = match Source::parse_list(text) {
            Ok(sources) => {
                self.change(Some(BLOCK_LIST_FIELD), |design| design.set_block_list(sources));
                None
            }
            Err(error) => Some(error.to_string()),
        };
        self.drafts.insert(BLOCK_LIST_FIELD.to_owned(), Draft { text: text.to_owned(), error });
    }
}

const BLOCK_LIST_FIELD: &str = "block-list";

fn sources_field(key: &ServiceKey) -> String {
    format!("sources-{}", key.slug())
}

fn group_field(name: &Name) -> String {
    format!("group-{name}")
}

#[cfg(test)]
#[path = "wizard_tests.rs"]
mod tests;
