//! The advanced options of the wizard, folded away for beginners: the interfaces a service is
//! limited to, and address translation (port redirects, port forwards, masquerading).
//!
//! Like the rest of [`Wizard`], only values the engine accepts reach the design. The per-service
//! interface fields keep their text and message in the wizard's drafts (they show a value of the
//! design); the "add an entry" forms validate each field with the `parse_*`/`check_*` functions
//! below as the user types, and the `add_*` mutations parse the whole entry again and hand it to
//! the engine, so a refused entry changes nothing.

use std::net::IpAddr;

use portcullis_engine::design::{Access, InterfaceName, Masquerade, Nat, PortForward, Redirect, Source, Transport};

use super::{Draft, ServiceKey, Wizard};

/// A port typed in a field: `1` to `65535`.
///
/// # Errors
/// The message the field shows.
pub(crate) fn parse_port(text: &str) -> Result<u16, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a port number is needed here (1 to 65535)".to_owned());
    }
    match text.parse::<u16>() {
        Ok(0) => Err("port 0 is reserved: use a port from 1 to 65535".to_owned()),
        Ok(port) => Ok(port),
        Err(_) => Err(format!("`{}` is not a port: use a number from 1 to 65535", shown(text))),
    }
}

/// Interface names typed in a field, separated by commas or blanks; empty: every interface.
///
/// # Errors
/// The engine's message for the first name it refuses.
pub(crate) fn parse_interfaces(text: &str) -> Result<Vec<InterfaceName>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .map(|word| word.parse::<InterfaceName>().map_err(|error| error.to_string()))
        .collect()
}

/// One interface name (the way out of a masquerade).
///
/// # Errors
/// The engine's message.
pub(crate) fn parse_interface(text: &str) -> Result<InterfaceName, String> {
    text.trim().parse::<InterfaceName>().map_err(|error| error.to_string())
}

/// The internal host of a port forward: an IPv4 or IPv6 address that can receive traffic.
///
/// # Errors
/// Why the text is not such an address.
pub(crate) fn parse_host(text: &str) -> Result<IpAddr, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the internal host's address is needed here, e.g. 198.51.100.10".to_owned());
    }
    let address: IpAddr = text.parse().map_err(|_| format!("`{}` is not an IP address: write one like 198.51.100.10 or 2001:db8::10", shown(text)))?;
    // The engine's own check (no loopback, multicast, unspecified…), with placeholder ports.
    PortForward::new(Transport::Tcp, 1, address, 1, Vec::new(), Access::Everyone).map_err(|error| error.to_string())?;
    Ok(address)
}

/// The private network of a masquerade: a network (not a range, not every address).
///
/// # Errors
/// The engine's message.
pub(crate) fn parse_network(text: &str) -> Result<Source, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the private network is needed here, e.g. 198.51.100.0/24".to_owned());
    }
    let network: Source = text.parse().map_err(|error: portcullis_engine::design::SourceError| error.to_string())?;
    // The engine's check does not depend on the interface: any valid name stands in for it.
    let placeholder = parse_interface("eth0")?;
    Masquerade::new(network, placeholder).map_err(|error| error.to_string())?;
    Ok(network)
}

/// Trusted sources of a port forward; empty: everyone.
///
/// # Errors
/// The engine's message.
pub(crate) fn parse_sources(text: &str) -> Result<Vec<Source>, String> {
    Source::parse_list(text).map_err(|error| error.to_string())
}

/// The text of a port forward being added, field by field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ForwardText<'a> {
    pub(crate) transport: Transport,
    /// The public port on this host.
    pub(crate) port: &'a str,
    /// The internal host's address.
    pub(crate) host: &'a str,
    /// The port on the internal host; empty: the public port.
    pub(crate) to_port: &'a str,
    /// Interfaces the forward applies on; empty: every interface.
    pub(crate) interfaces: &'a str,
    /// Trusted sources; empty: everyone.
    pub(crate) sources: &'a str,
}

impl ForwardText<'_> {
    /// The port on the internal host: the typed one, or the public port when none is typed.
    pub(crate) fn inner_port(&self) -> Result<u16, String> {
        if self.to_port.trim().is_empty() {
            parse_port(self.port)
        } else {
            parse_port(self.to_port)
        }
    }
}

/// `text` cut to 40 characters for a message, so a pasted megabyte cannot flood the page.
fn shown(text: &str) -> String {
    let mut shown: String = text.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

fn interfaces_field(key: &ServiceKey) -> String {
    format!("iface-{}", key.slug())
}

impl Wizard {
    /// The interfaces `key` is limited to (empty: every interface).
    pub(crate) fn interfaces(&self, key: &ServiceKey) -> Vec<InterfaceName> {
        match key {
            ServiceKey::Catalogue(id) => self.design.interfaces(*id).to_vec(),
            ServiceKey::Custom(name) => self.design.custom_interfaces(name).to_vec(),
        }
    }

    /// The interfaces typed for `key`, or the design's when nothing was typed since the last
    /// revision.
    pub(crate) fn interfaces_text(&self, key: &ServiceKey) -> String {
        self.drafts
            .get(&interfaces_field(key))
            .map_or_else(|| self.interfaces(key).iter().map(InterfaceName::as_str).collect::<Vec<_>>().join(", "), |draft| draft.text.clone())
    }

    pub(crate) fn interfaces_error(&self, key: &ServiceKey) -> Option<String> {
        self.drafts.get(&interfaces_field(key)).and_then(|draft| draft.error.clone())
    }

    /// Records the interfaces typed for an open service; a list the engine accepts becomes the
    /// service's limit (empty: every interface).
    pub(crate) fn edit_interfaces(&mut self, key: &ServiceKey, text: &str) {
        let field = interfaces_field(key);
        let error = parse_interfaces(text).err().or_else(|| {
            let interfaces = parse_interfaces(text).unwrap_or_default();
            self.change(Some(&field), |design| match key {
                ServiceKey::Catalogue(id) => design.limit_to_interfaces(*id, interfaces),
                ServiceKey::Custom(name) => design.limit_custom_to_interfaces(name, interfaces),
            })
            .err()
            .map(|error| error.to_string())
        });
        self.drafts.insert(field, Draft { text: text.to_owned(), error });
    }

    /// Forgets what was typed in `key`'s interface field (the service was closed or removed).
    pub(super) fn forget_interfaces_text(&mut self, key: &ServiceKey) {
        self.drafts.remove(&interfaces_field(key));
    }

    /// The address translation entries.
    pub(crate) fn nat(&self) -> &Nat {
        self.design.nat()
    }

    /// Changes the NAT entries with `edit`, as one undoable step; a clash the engine refuses
    /// changes nothing.
    fn edit_nat(&mut self, edit: impl FnOnce(&mut Nat)) -> Result<(), String> {
        self.change(None, |design| {
            let mut nat = design.nat().clone();
            edit(&mut nat);
            design.set_nat(nat).map_err(|error| error.to_string())
        })
    }

    /// Adds a redirect of port `from` to port `to` on this host.
    ///
    /// # Errors
    /// The message for the first field refused, or the engine's (same port twice, a clash).
    pub(crate) fn add_redirect(&mut self, transport: Transport, from: &str, to: &str, interfaces: &str) -> Result<(), String> {
        let redirect = Redirect::new(transport, parse_port(from)?, parse_port(to)?, parse_interfaces(interfaces)?).map_err(|error| error.to_string())?;
        self.edit_nat(|nat| nat.redirects.push(redirect))
    }

    /// Removes the redirect at `at` (nothing when there is none).
    pub(crate) fn remove_redirect(&mut self, at: usize) {
        // Removing an entry cannot create a clash: the engine accepts the smaller list.
        let _ = self.edit_nat(|nat| {
            if at < nat.redirects.len() {
                nat.redirects.remove(at);
            }
        });
    }

    /// Adds a port forward to an internal host, for everyone or only the typed sources.
    ///
    /// # Errors
    /// The message for the first field refused, or the engine's (a clash).
    pub(crate) fn add_port_forward(&mut self, form: ForwardText<'_>) -> Result<(), String> {
        let port = parse_port(form.port)?;
        let host = parse_host(form.host)?;
        let to_port = form.inner_port()?;
        let interfaces = parse_interfaces(form.interfaces)?;
        let access = Access::from_sources(parse_sources(form.sources)?);
        let forward = PortForward::new(form.transport, port, host, to_port, interfaces, access).map_err(|error| error.to_string())?;
        self.edit_nat(|nat| nat.port_forwards.push(forward))
    }

    /// Removes the port forward at `at` (nothing when there is none).
    pub(crate) fn remove_port_forward(&mut self, at: usize) {
        let _ = self.edit_nat(|nat| {
            if at < nat.port_forwards.len() {
                nat.port_forwards.remove(at);
            }
        });
    }

    /// Adds a masquerade of a private network out of one interface.
    ///
    /// # Errors
    /// The message for the first field refused, or the engine's (a clash).
    pub(crate) fn add_masquerade(&mut self, network: &str, out_interface: &str) -> Result<(), String> {
        let masquerade = Masquerade::new(parse_network(network)?, parse_interface(out_interface)?).map_err(|error| error.to_string())?;
        self.edit_nat(|nat| nat.masquerades.push(masquerade))
    }

    /// Removes the masquerade at `at` (nothing when there is none).
    pub(crate) fn remove_masquerade(&mut self, at: usize) {
        let _ = self.edit_nat(|nat| {
            if at < nat.masquerades.len() {
                nat.masquerades.remove(at);
            }
        });
    }
}

#[cfg(test)]
#[path = "advanced_tests.rs"]
mod tests;
