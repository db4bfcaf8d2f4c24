//! The rule form of the workbench: the fields an admin edits most (addresses, interfaces,
//! protocol, ports, connection states, target, comment), each typed and checked on its own, read
//! from a rule and written back onto it. Everything the form does not show (negations it did not
//! change, other match modules, a NAT or MARK target…) is kept exactly as it was, in place.

use std::fmt;

use ipnet::IpNet;

use crate::model::{
    Comment, ConnState, ConnStates, ConnTrack, Family, Interface, Log, Module, Negated, PortSpec, Protocol, RejectWith, Rule, Target,
    UserChain,
};

/// What a form rule does with a matching packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TargetChoice {
    /// `-j ACCEPT`
    #[default]
    Accept,
    /// `-j DROP`
    Drop,
    /// `-j REJECT` (the rule's own `--reject-with` kept, else the default).
    Reject,
    /// `-j RETURN`
    Return,
    /// `-j LOG` (the rule's own options kept, else the defaults).
    Log,
    /// `-j CHAIN`
    Jump(String),
    /// `-g CHAIN`
    Goto(String),
    /// No target: the rule only counts packets.
    None,
    /// The rule's own target, which the form does not edit (DNAT, MARK, NFLOG…).
    Keep,
}

/// The form's fields as typed. Empty text means "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleForm {
    /// `-s`: an address or network of the rule's family.
    pub source: String,
    /// `-d`
    pub destination: String,
    /// `-i`
    pub in_interface: String,
    /// `-o`
    pub out_interface: String,
    /// `-p`: a name (`tcp`, `udp`, `icmp`…) or a number; empty for any.
    pub protocol: String,
    /// `--sport`: a port or `first:last` (tcp and udp).
    pub source_port: String,
    /// `--dport`
    pub destination_port: String,
    /// `-m conntrack --ctstate`: empty for any state.
    pub states: Vec<ConnState>,
    /// `-j` / `-g`
    pub target: TargetChoice,
    /// `-m comment --comment`
    pub comment: String,
}

/// Which field a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Source,
    Destination,
    InInterface,
    OutInterface,
    Protocol,
    SourcePort,
    DestinationPort,
    Target,
    Comment,
}

/// A field the form cannot turn into a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong, in one sentence, with what to write instead.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn port_text(port: Option<&Negated<PortSpec>>) -> String {
    port.map(|port| {
        let spec = port.value;
        if spec.first() == spec.last() { spec.first().to_string() } else { format!("{}:{}", spec.first(), spec.last()) }
    })
    .unwrap_or_default()
}

impl RuleForm {
    /// The form showing `rule`.
    pub fn of(rule: &Rule) -> Self {
        let mut form = RuleForm {
            source: rule.source.as_ref().map(|net| net.value.to_string()).unwrap_or_default(),
            destination: rule.destination.as_ref().map(|net| net.value.to_string()).unwrap_or_default(),
            in_interface: rule.in_interface.as_ref().map(|name| name.value.as_str().to_owned()).unwrap_or_default(),
            out_interface: rule.out_interface.as_ref().map(|name| name.value.as_str().to_owned()).unwrap_or_default(),
            protocol: rule.protocol.as_ref().map(|protocol| protocol.value.to_string()).unwrap_or_default(),
            target: match &rule.target {
                Some(Target::Accept) => TargetChoice::Accept,
                Some(Target::Drop) => TargetChoice::Drop,
                Some(Target::Reject(_)) => TargetChoice::Reject,
                Some(Target::Return) => TargetChoice::Return,
                Some(Target::Log(_)) => TargetChoice::Log,
                Some(Target::Jump(chain)) => TargetChoice::Jump(chain.as_str().to_owned()),
                Some(Target::Goto(chain)) => TargetChoice::Goto(chain.as_str().to_owned()),
                Some(_) => TargetChoice::Keep,
                None => TargetChoice::None,
            },
            ..RuleForm::default()
        };
        for module in &rule.modules {
            match module {
                Module::Tcp { source_port, destination_port, .. } | Module::Udp { source_port, destination_port } => {
                    form.source_port = port_text(source_port.as_ref());
                    form.destination_port = port_text(destination_port.as_ref());
                }
                Module::ConnTrack(conntrack) => {
                    if let Some(states) = conntrack.state.as_ref().filter(|states| !states.negated) {
                        form.states = states.value.states().to_vec();
                    }
                }
                Module::State(states) if !states.negated => form.states = states.value.states().to_vec(),
                Module::Comment(text) => form.comment.clone_from(text),
                _ => {}
            }
        }
        form
    }

    /// `base` (the rule being edited, or `Rule::default()` for a new one) with the form's
    /// fields written onto it, for a chain of `family`.
    ///
    /// # Errors
    /// Every field that is not valid, each with its message.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::{ConnState, Family, Rule};
    /// use portcullis_engine::workbench::{RuleForm, TargetChoice};
    /// let form = RuleForm {
    ///     source: "203.0.113.0/24".into(), protocol: "tcp".into(), destination_port: "22".into(),
    ///     states: vec![ConnState::New], target: TargetChoice::Accept, ..RuleForm::default()
    /// };
    /// let rule = form.to_rule(Family::V4, &Rule::default()).unwrap();
    /// let text = portcullis_engine::export::save::render_rule(&rule, Family::V4);
    /// assert_eq!(text, " -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT");
    /// ```
    pub fn to_rule(&self, family: Family, base: &Rule) -> Result<Rule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field, message: String| errors.push(FieldError { field, message });
        let mut rule = base.clone();
        match address(&self.source, family) {
            Ok(net) => rule.source = keep_negation(base.source.as_ref(), net),
            Err(message) => fail(Field::Source, message),
        }
        match address(&self.destination, family) {
            Ok(net) => rule.destination = keep_negation(base.destination.as_ref(), net),
            Err(message) => fail(Field::Destination, message),
        }
        match interface(&self.in_interface) {
            Ok(name) => rule.in_interface = keep_negation(base.in_interface.as_ref(), name),
            Err(message) => fail(Field::InInterface, message),
        }
        match interface(&self.out_interface) {
            Ok(name) => rule.out_interface = keep_negation(base.out_interface.as_ref(), name),
            Err(message) => fail(Field::OutInterface, message),
        }
        let protocol_text = self.protocol.trim();
        let protocol = if protocol_text.is_empty() {
            None
        } else {
            match Protocol::parse(protocol_text) {
                Ok(protocol) => {
                    let wrong_icmp = match family {
                        Family::V4 => protocol == Some(Protocol::ICMPV6),
                        Family::V6 => protocol == Some(Protocol::ICMP),
                    };
                    if wrong_icmp {
                        let right = if family == Family::V4 { "icmp" } else { "ipv6-icmp" };
                        fail(Field::Protocol, format!("{protocol_text} is not a protocol of {family}: use {right}"));
                    }
                    protocol
                }
                Err(message) => {
                    fail(Field::Protocol, message);
                    None
                }
            }
        };
        rule.protocol = keep_negation(base.protocol.as_ref(), protocol);
        let source_port = port(&self.source_port).map_err(|message| fail(Field::SourcePort, message)).ok().flatten();
        let destination_port = port(&self.destination_port).map_err(|message| fail(Field::DestinationPort, message)).ok().flatten();
        let wants_ports = source_port.is_some() || destination_port.is_some();
        let port_protocol = protocol.filter(|protocol| *protocol == Protocol::TCP || *protocol == Protocol::UDP);
        if wants_ports && port_protocol.is_none() {
            fail(Field::DestinationPort, "ports need the protocol tcp or udp".to_owned());
        }
        match self.target(family, base) {
            Ok(target) => rule.target = target,
            Err(message) => fail(Field::Target, message),
        }
        if Comment::sanitize(&self.comment).as_str() != self.comment {
            fail(Field::Comment, "a comment is plain ASCII text without quotes, backslashes, `$` or backticks, at most 255 bytes".to_owned());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        set_ports(&mut rule, base, port_protocol, source_port, destination_port);
        set_states(&mut rule, &self.states);
        set_comment(&mut rule, &self.comment);
        Ok(rule)
    }

    fn target(&self, family: Family, base: &Rule) -> Result<Option<Target>, String> {
        let chain = |name: &str| UserChain::new(name.trim()).map_err(|error| error.to_string());
        Ok(match &self.target {
            TargetChoice::Accept => Some(Target::Accept),
            TargetChoice::Drop => Some(Target::Drop),
            TargetChoice::Reject => Some(match &base.target {
                Some(Target::Reject(with)) => Target::Reject(*with),
                _ => Target::Reject(RejectWith::PortUnreachable),
            }),
            TargetChoice::Return => Some(Target::Return),
            TargetChoice::Log => Some(match &base.target {
                Some(Target::Log(log)) => Target::Log(log.clone()),
                _ => Target::Log(Log::default()),
            }),
            TargetChoice::Jump(name) => Some(Target::Jump(chain(name)?)),
            TargetChoice::Goto(name) => Some(Target::Goto(chain(name)?)),
            TargetChoice::None => None,
            TargetChoice::Keep => {
                let _ = family;
                base.target.clone()
            }
        })
    }
}

/// The value with the negation the rule had, when the value is still there.
fn keep_negation<T>(before: Option<&Negated<T>>, value: Option<T>) -> Option<Negated<T>> {
    value.map(|value| Negated { negated: before.is_some_and(|before| before.negated), value })
}

fn address(text: &str, family: Family) -> Result<Option<IpNet>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let net = text
        .parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{text}` is not an address or network (write 203.0.113.7 or 203.0.113.0/24)"))?;
    if !family.contains(&net) {
        return Err(format!("`{text}` is not an {family} address"));
    }
    if net.trunc() != net {
        return Err(format!("`{text}` has host bits set: write {} for the whole network or {} for one address", net.trunc(), IpNet::from(net.addr())));
    }
    Ok(Some(net))
}

fn interface(text: &str) -> Result<Option<Interface>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Interface::new(text).map(Some).map_err(|_| format!("`{text}` is not an interface name (1 to 15 characters, such as eth0 or eth+)"))
}

fn port(text: &str) -> Result<Option<PortSpec>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let number = |part: &str| part.trim().parse::<u16>().map_err(|_| format!("`{part}` is not a port number (0 to 65535)"));
    match text.split_once([':', '-']) {
        None => Ok(Some(PortSpec::single(number(text)?))),
        Some((first, last)) => {
            let (first, last) = (number(first)?, number(last)?);
            PortSpec::range(first, last).map(Some).ok_or_else(|| format!("the range {first}:{last} is reversed: write {last}:{first}"))
        }
    }
}

/// Writes the ports into the rule's tcp/udp module where it was (keeping TCP flags and
/// options), or adds one first; drops a port-only module the form emptied.
fn set_ports(rule: &mut Rule, base: &Rule, protocol: Option<Protocol>, source: Option<PortSpec>, destination: Option<PortSpec>) {
    let negation = |before: Option<&Negated<PortSpec>>, value: Option<PortSpec>| keep_negation(before, value);
    let existing = rule.modules.iter().position(|module| matches!(module, Module::Tcp { .. } | Module::Udp { .. }));
    let (old_source, old_destination) = match existing.map(|at| &base.modules[at]) {
        Some(Module::Tcp { source_port, destination_port, .. } | Module::Udp { source_port, destination_port }) => {
            (source_port.clone(), destination_port.clone())
        }
        _ => (None, None),
    };
    let source_port = negation(old_source.as_ref(), source);
    let destination_port = negation(old_destination.as_ref(), destination);
    let replacement = match (protocol, existing.map(|at| &rule.modules[at])) {
        (Some(Protocol::TCP), Some(Module::Tcp { flags, option, .. })) => {
            Some(Module::Tcp { source_port, destination_port, flags: flags.clone(), option: option.clone() })
        }
        (Some(Protocol::TCP), _) if source.is_some() || destination.is_some() => {
            Some(Module::Tcp { source_port, destination_port, flags: None, option: None })
        }
        (Some(Protocol::UDP), _) if source.is_some() || destination.is_some() => Some(Module::Udp { source_port, destination_port }),
        _ => None,
    };
    match (existing, replacement) {
        (Some(at), Some(module)) => rule.modules[at] = module,
        (Some(at), None) => {
            rule.modules.remove(at);
        }
        (None, Some(module)) => rule.modules.insert(0, module),
        (None, None) => {}
    }
}

/// Sets `--ctstate` in the rule's conntrack (or `state`) module in place, or adds one after the
/// ports; no states removes a state-only module.
fn set_states(rule: &mut Rule, states: &[ConnState]) {
    let states = ConnStates::new(states.iter().copied());
    let at = rule.modules.iter().position(|module| matches!(module, Module::ConnTrack(conntrack) if conntrack.state.is_some()) || matches!(module, Module::State(_)));
    let current = at.map(|at| &rule.modules[at]);
    let unchanged = match current {
        Some(Module::ConnTrack(conntrack)) => conntrack.state.as_ref().filter(|state| !state.negated).map(|state| &state.value) == states.as_ref(),
        Some(Module::State(state)) => !state.negated && Some(&state.value) == states.as_ref(),
        _ => states.is_none(),
    };
    if unchanged {
        return;
    }
    match (at, states) {
        (Some(at), Some(states)) => match &mut rule.modules[at] {
            Module::ConnTrack(conntrack) => conntrack.state = Some(Negated::plain(states)),
            module => *module = Module::ConnTrack(ConnTrack::states(states)),
        },
        (Some(at), None) => match &mut rule.modules[at] {
            Module::ConnTrack(conntrack) if *conntrack != ConnTrack { state: conntrack.state.clone(), ..ConnTrack::default() } => conntrack.state = None,
            _ => {
                rule.modules.remove(at);
            }
        },
        (None, Some(states)) => {
            let after_ports = rule.modules.iter().position(|module| matches!(module, Module::Tcp { .. } | Module::Udp { .. })).map_or(0, |at| at + 1);
            rule.modules.insert(after_ports, Module::ConnTrack(ConnTrack::states(states)));
        }
        (None, None) => {}
    }
}

/// Sets the comment in place, adds it last, or removes it.
fn set_comment(rule: &mut Rule, comment: &str) {
    let at = rule.modules.iter().position(|module| matches!(module, Module::Comment(_)));
    match (at, comment.is_empty()) {
        (Some(at), false) => rule.modules[at] = Module::Comment(comment.to_owned()),
        (Some(at), true) => {
            rule.modules.remove(at);
        }
        (None, false) => rule.modules.push(Module::Comment(comment.to_owned())),
        (None, true) => {}
    }
}
