//! Stamps that let `topgen check` trust a generated file without re-rendering it.
//!
//! Each generated file carries, on its second line, a hash of its inputs (the generator's
//! own fingerprint and the spec text it came from) and a hash of its content. A file whose
//! input hash matches the current specs and generator, and whose content hash matches its
//! content, is exactly what rendering would produce; anything else is rendered and diffed.

use sha2::{Digest, Sha256};

/// The fingerprint of this build of the generator (source, templates, locked dependencies).
pub const GENERATOR_ID: &str = env!("TOPGEN_GENERATOR_ID");

const MARK: &str = "topgen-fingerprint:";

fn hex(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The input hash of everything generated from one spec file's text.
pub fn spec_hash(spec_text: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(GENERATOR_ID.as_bytes());
    h.update([0]);
    h.update(spec_text);
    hex(&h.finalize())
}

/// The input hash of files generated from all specs: their spec hashes in file-name order.
pub fn combined_hash<'a>(spec_hashes: impl IntoIterator<Item = &'a str>) -> String {
    let mut h = Sha256::new();
    h.update(GENERATOR_ID.as_bytes());
    for s in spec_hashes {
        h.update([0]);
        h.update(s.as_bytes());
    }
    hex(&h.finalize())
}

fn content_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// The stamp line's comment syntax for a generated file, by extension.
fn comment(path: &str) -> Option<(&'static str, &'static str)> {
    if path.ends_with(".rs") {
        Some(("// ", ""))
    } else if path.ends_with(".md") {
        Some(("<!-- ", " -->"))
    } else if path.ends_with(".toml") {
        Some(("# ", ""))
    } else {
        None
    }
}

/// `text` with its stamp inserted after the first (`@generated`) line.
pub fn stamp(path: &str, text: &str, input: &str) -> String {
    let Some((open, close)) = comment(path) else {
        return text.to_owned();
    };
    let (first, rest) = text.split_at(text.find('\n').map_or(text.len(), |i| i + 1));
    let unstamped = format!("{first}{rest}");
    let content = content_hash(&unstamped);
    format!("{first}{open}{MARK} input={input} content={content}{close}\n{rest}")
}

/// Whether `text` carries a stamp for exactly `input`, and its content is untouched.
pub fn verify(path: &str, text: &str, input: &str) -> bool {
    let Some((open, close)) = comment(path) else {
        return false;
    };
    let Some(first_end) = text.find('\n').map(|i| i + 1) else {
        return false;
    };
    let Some(line_len) = text[first_end..].find('\n') else {
        return false;
    };
    let line = &text[first_end..first_end + line_len];
    let Some(fields) = line
        .strip_prefix(open)
        .and_then(|l| l.strip_suffix(close))
        .and_then(|l| l.strip_prefix(MARK))
    else {
        return false;
    };
    let mut parts = fields.split_whitespace();
    let (Some(found_input), Some(found_content), None) = (
        parts.next().and_then(|p| p.strip_prefix("input=")),
        parts.next().and_then(|p| p.strip_prefix("content=")),
        parts.next(),
    ) else {
        return false;
    };
    let unstamped = format!(
        "{}{}",
        &text[..first_end],
        &text[first_end + line_len + 1..]
    );
    found_input == input && found_content == content_hash(&unstamped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamped_text_verifies_until_touched() {
        let text = "// @generated\nfn main() {}\n";
        let input = spec_hash(b"method: a.b\n");
        let stamped = stamp("src/a.rs", text, &input);
        assert!(stamped.starts_with("// @generated\n// topgen-fingerprint: input="));
        assert!(verify("src/a.rs", &stamped, &input));
        assert!(
            !verify("src/a.rs", &stamped, &spec_hash(b"method: a.c\n")),
            "other input"
        );
        let edited = stamped.replace("fn main() {}", "fn main() { }");
        assert!(!verify("src/a.rs", &edited, &input), "hand edit");
        assert!(!verify("src/a.rs", text, &input), "no stamp");
        let md = stamp("README.md", "<!-- @generated -->\n# x\n", &input);
        assert!(verify("README.md", &md, &input));
    }
}
