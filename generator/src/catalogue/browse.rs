//! Looking at the catalogue before adding an API: `topgen search`, `topgen show` and
//! `topgen list`, printed for a terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::doc::{ApiDoc, Param, read_all};
use super::{Catalogue, quoted, search, suggest};

/// How many APIs `search` prints unless told.
pub const DEFAULT_LIMIT: usize = 20;

/// `topgen search`: the best matches, a line each (method, title, category). Exit 1 when
/// nothing matches.
pub fn search_command(
    catalogue: Option<&Path>,
    query: &[String],
    limit: usize,
    category: Option<&str>,
) -> Result<u8, String> {
    let catalogue = Catalogue::open(catalogue)?;
    let docs = read_all(&catalogue);
    if let Some(category) = category
        && !docs.iter().any(|d| d.in_category(category))
    {
        return Err(format!(
            "error: no category `{category}` in {} (`topgen list` shows them)",
            catalogue.name
        ));
    }
    let words = search::words(query);
    let hits = search::search(&docs, &words, category);
    if hits.is_empty() {
        eprintln!("no API in {} matches `{}`", catalogue.name, words.join(" "));
        return Ok(1);
    }
    let shown = &hits[..hits.len().min(limit)];
    let width = shown.iter().map(|h| h.doc.method.len()).max().unwrap_or(0);
    let mut out = String::new();
    for hit in shown {
        let _ = writeln!(
            out,
            "{:<width$}  {}  [{}]",
            hit.doc.method,
            one_line(&hit.doc.title),
            hit.doc.category_shown()
        );
    }
    emit(&out);
    if hits.len() > shown.len() {
        eprintln!(
            "… {} more; `--limit N` shows more, `--category NAME` narrows",
            hits.len() - shown.len()
        );
    }
    Ok(0)
}

/// `topgen show`: one API's title, category, description, parameters and response fields;
/// with `json`, the doc as the catalogue holds it. An unknown method gets suggestions and
/// exit 1.
pub fn show_command(catalogue: Option<&Path>, method: &str, json: bool) -> Result<u8, String> {
    let catalogue = Catalogue::open(catalogue)?;
    let docs = read_all(&catalogue);
    let Some(doc) = docs.iter().find(|d| d.method == method) else {
        let close = suggest(method, docs.iter().map(|d| d.method.as_str()));
        let hint = if close.is_empty() {
            " (`topgen search <words>` finds APIs by what they do)".to_owned()
        } else {
            format!("; did you mean {}?", quoted(&close))
        };
        eprintln!("error: `{method}` is not in {}{hint}", catalogue.name);
        return Ok(1);
    };
    if json {
        let bytes = doc.source.content.as_deref().unwrap_or_default();
        let text = String::from_utf8_lossy(bytes);
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        emit(&format!("{text}{newline}"));
        return Ok(0);
    }
    emit(&describe(doc));
    Ok(0)
}

/// The text `show` prints.
pub fn describe(doc: &ApiDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", doc.method, one_line(&doc.title));
    let _ = writeln!(
        out,
        "category: {} ({})",
        doc.category_shown(),
        doc.category_dir
    );
    if !doc.description.is_empty() {
        let _ = writeln!(out, "\n{}", plain(&doc.description));
    }
    for (heading, params) in [
        ("request parameters", &doc.request),
        ("response fields", &doc.response),
    ] {
        let _ = writeln!(out, "\n{heading}:");
        if params.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        table(params, 1, heading.starts_with("request"), &mut out);
    }
    let _ = writeln!(out, "\nadd it: topgen add {}", doc.method);
    out
}

/// Parameters as aligned rows (name, type, required, limits, description), each struct's
/// fields indented under it. `required` is a request rule; on a response it means "always
/// present", shown as such.
fn table(params: &[Param], depth: usize, request: bool, out: &mut String) {
    let indent = "  ".repeat(depth);
    let name_width = params.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let type_width = params.iter().map(|p| p.ty.len()).max().unwrap_or(0);
    for p in params {
        let mut notes = Vec::new();
        if p.required {
            notes.push(
                if request {
                    "required"
                } else {
                    "always present"
                }
                .to_owned(),
            );
        }
        notes.extend(p.limits.iter().cloned());
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  ({})", notes.join(", "))
        };
        let description = one_line(&plain(&p.description));
        let line = format!(
            "{indent}{:<name_width$}  {:<type_width$}{notes}  {description}",
            p.name, p.ty
        );
        let _ = writeln!(out, "{}", line.trim_end());
        table(&p.fields, depth + 1, request, out);
    }
}

/// `topgen list`: the categories with their API counts, or the methods of one.
pub fn list_command(catalogue: Option<&Path>, category: Option<&str>) -> Result<u8, String> {
    let catalogue = Catalogue::open(catalogue)?;
    let docs = read_all(&catalogue);
    let mut out = String::new();
    match category {
        None => {
            let mut counts: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
            for doc in &docs {
                counts
                    .entry(&doc.category_dir)
                    .or_insert((doc.category_shown(), 0))
                    .1 += 1;
            }
            let width = counts.keys().map(|k| k.len()).max().unwrap_or(0);
            for (dir, (name, count)) in &counts {
                let _ = writeln!(out, "{dir:<width$}  {count:>4}  {name}");
            }
            let _ = writeln!(
                out,
                "{} APIs in {} categories; `topgen list --category NAME` lists one",
                docs.len(),
                counts.len()
            );
        }
        Some(wanted) => {
            let chosen: Vec<&ApiDoc> = docs.iter().filter(|d| d.in_category(wanted)).collect();
            if chosen.is_empty() {
                eprintln!(
                    "error: no category `{wanted}` in {} (`topgen list` shows them)",
                    catalogue.name
                );
                return Ok(1);
            }
            let width = chosen.iter().map(|d| d.method.len()).max().unwrap_or(0);
            for doc in chosen {
                let _ = writeln!(out, "{:<width$}  {}", doc.method, one_line(&doc.title));
            }
        }
    }
    emit(&out);
    Ok(0)
}

/// Writes to standard output; a closed pipe (`topgen show … | head`) ends the output quietly
/// instead of panicking as `print!` does.
fn emit(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Text without HTML markup: tags dropped (`<br/>` as a line break), the common entities
/// decoded.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
                if tag.starts_with("br") || tag.starts_with("/p") {
                    out.push('\n');
                }
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let lines: Vec<&str> = decoded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// Text on one line: runs of white space as one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_dropped_and_lines_kept() {
        assert_eq!(
            plain("获取<br/>1. 只有 <strong>单笔</strong> &amp; 多笔<a href=\"x\">链接</a>"),
            "获取\n1. 只有 单笔 & 多笔链接"
        );
        assert_eq!(plain("a < b"), "a < b");
    }
}
