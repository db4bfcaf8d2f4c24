//! `host-bits-set` (L016).
//!
//! **What it does**: finds `-s`/`-d` networks written with host bits set (`10.0.0.1/8`).
//! iptables masks them silently (so does the model), so this lint reads the source text.
//!
//! **Why it matters**: `10.0.0.1/8` means all of 10.0.0.0/8; whoever wrote it probably meant
//! the single address, or another prefix.
//!
//! **Example**: `-A INPUT -s 203.0.113.7/24 -j ACCEPT`.
//!
//! **Fix**: write the network (`203.0.113.0/24`) or the address (`203.0.113.7/32`).

use ipnet::IpNet;

use crate::analysis::Finding;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::Family;

/// The `host-bits-set` findings of a dump or script `text`.
///
/// # Examples
/// ```
/// let found = portcullis_engine::analysis::host_bits("-A INPUT -s 10.0.0.1/8 -j ACCEPT\n");
/// assert_eq!(found[0].diagnostic.span.start, 12);
/// ```
pub fn host_bits(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut previous = "";
        let mut at = 0;
        for word in line.split_whitespace() {
            let start = line.get(at..).and_then(|rest| rest.find(word)).map_or(at, |found| at + found);
            at = start + word.len();
            if matches!(previous, "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst") {
                let mut item_start = start;
                for item in word.split(',') {
                    if let Ok(net) = item.parse::<IpNet>() {
                        if net != net.trunc() {
                            let family = if net.addr().is_ipv4() { Family::V4 } else { Family::V6 };
                            let span = Span::new(offset + item_start, offset + item_start + item.len());
                            let diagnostic = Diagnostic::new(Code::HostBitsSet, span, format!("`{item}` has host bits set: it means {}", net.trunc()))
                                .with_help(format!("write `{}` for the network or `{}/{}` for the address", net.trunc(), net.addr(), net.max_prefix_len()));
                            out.push(Finding { diagnostic, family, rule: None, related: Vec::new(), witness: None, expect: None, step: None });
                        }
                    }
                    item_start += item.len() + 1;
                }
            }
            previous = word;
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::host_bits;

    #[test]
    fn fail_and_pass() {
        assert_eq!(host_bits("-A INPUT -s 10.0.0.0/8,192.168.1.1/16 -d 2001:db8::1/64 -j ACCEPT").len(), 2);
        assert!(host_bits("-A INPUT -s 10.0.0.0/8 -d 2001:db8::/64 -j ACCEPT").is_empty());
    }
}
