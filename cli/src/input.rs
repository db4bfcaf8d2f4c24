//! Reading the file (or standard input) a command works on: a clear error, with the line and
//! column, for what is not UTF-8 text.

use std::io::Read as _;
use std::path::Path;

/// The name to show for `file` (`<stdin>` for `-`) and its text.
pub(crate) fn read_input(file: &Path) -> Result<(String, String), String> {
    let (name, bytes) = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|error| format!("cannot read standard input: {error}"))?;
        ("<stdin>".to_owned(), bytes)
    } else {
        (file.display().to_string(), std::fs::read(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?)
    };
    let text = text_of(&name, bytes)?;
    Ok((name, text))
}

/// `bytes` as text, or where the first byte that is not UTF-8 sits.
fn text_of(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..at];
        let line = before.split(|byte| *byte == b'\n').count();
        let line_start = before.iter().rposition(|byte| *byte == b'\n').map_or(0, |newline| newline + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        let byte = error.as_bytes()[at];
        format!(
            "{name}:{line}:{column}: byte 0x{byte:02x} is not UTF-8 text; iptables-save and shell scripts are plain text \
             (convert it first, e.g. `iconv -f latin1 -t utf-8 {name}`)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn the_first_bad_byte_is_named_with_its_line_and_column() {
        let error = text_of("rules.v4", b"*filter\n-A INPUT -m comment --comment \"caf\xe9\" -j DROP\n".to_vec()).expect_err("latin-1");
        assert!(error.starts_with("rules.v4:2:35: byte 0xe9 is not UTF-8 text"), "{error}");
        assert_eq!(text_of("x", "é\n".as_bytes().to_vec()).as_deref(), Ok("é\n"));
    }
}
