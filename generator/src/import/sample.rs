//! The page's Java sample (请求示例): which client family and whether a session key is
//! passed, the class name of each struct the request builds (the type column may say only
//! `Struct`), which class each setter belongs to (to place nested rows), and the values
//! it sets (to tell an example from a description).

use std::collections::HashMap;

use crate::spec::{Client, Session};

/// The class name under which the request object itself is recorded.
pub const ROOT: &str = "req";

/// What the sample code states.
#[derive(Debug, Default)]
pub struct Sample {
    /// The client family and the line that showed it.
    pub client: Option<(Client, usize)>,
    /// `client.execute(req, sessionKey)` → required; `client.execute(req)` → none.
    pub session: Option<(Session, usize)>,
    /// Variable → simple class name (`obj1` → `Struct`; `list3` → `RiskInfoSyncDTO`).
    classes: HashMap<String, String>,
    /// Every `recv.setXxx(arg)`: receiver variable, normalised key, argument.
    setters: Vec<(String, String, Arg)>,
}

#[derive(Debug, Clone)]
enum Arg {
    /// Another variable: a struct or a list of structs.
    Var(String),
    /// A literal value, as the page's example would write it.
    Value(String),
}

/// A wire name or setter suffix compared loosely: `typeDTO`, `TypeDTO`, `type_dto` agree.
pub fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

impl Sample {
    /// Reads the sample's lines (`(line number, text)`); lines it does not understand are
    /// ignored, since the sample is evidence, not content of the spec.
    pub fn read<'a>(lines: impl IntoIterator<Item = (usize, &'a str)>) -> Sample {
        let mut sample = Sample::default();
        sample.classes.insert(ROOT.to_owned(), ROOT.to_owned());
        for (no, line) in lines {
            let line = line.trim();
            if sample.client.is_none() {
                if line.contains("QimenCloudClient") || line.contains("QimenClient") {
                    sample.client = Some((Client::Qimen, no));
                } else if line.contains("TaobaoClient") || line.contains("TopClient") {
                    sample.client = Some((Client::Top, no));
                }
            }
            if sample.session.is_none()
                && let Some(args) = call_args(line, ".execute(").or(call_args(line, ".Execute("))
            {
                let session = if split_args(args).len() > 1 {
                    Session::Required
                } else {
                    Session::None
                };
                sample.session = Some((session, no));
            }
            if let Some((var, class)) = declaration(line) {
                sample.classes.insert(var, class);
            } else if let Some(setter) = setter(line) {
                sample.setters.push(setter);
            }
        }
        sample
    }

    /// Whether the sample sets `key` on an object of `class`.
    pub fn sets(&self, class: &str, field: &str) -> bool {
        let field = key(field);
        self.setters
            .iter()
            .any(|(recv, k, _)| *k == field && self.classes.get(recv).is_some_and(|c| c == class))
    }

    /// Whether the sample says anything about objects of `class`.
    pub fn knows(&self, class: &str) -> bool {
        self.setters
            .iter()
            .any(|(recv, _, _)| self.classes.get(recv).is_some_and(|c| c == class))
    }

    /// The class of the struct set as `field` on an object of `class`: `req.setTypeDTO(obj1)`
    /// with `Outer.Struct obj1` gives `Struct`. Without a known parent class, a field name
    /// that only one setter uses is enough.
    pub fn child_class(&self, class: Option<&str>, field: &str) -> Option<String> {
        let field = key(field);
        let found: Vec<&String> = self
            .setters
            .iter()
            .filter(|(recv, k, _)| {
                *k == field
                    && class.is_none_or(|c| self.classes.get(recv).is_some_and(|rc| rc == c))
            })
            .filter_map(|(_, _, arg)| match arg {
                Arg::Var(v) => self.classes.get(v),
                Arg::Value(_) => None,
            })
            .collect();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            [first, rest @ ..] if rest.iter().all(|c| c == first) => Some((*first).clone()),
            _ => None,
        }
    }

    /// The literal value the sample sets as `field` on an object of `class`, if any.
    pub fn value(&self, class: Option<&str>, field: &str) -> Option<&str> {
        let field = key(field);
        self.setters.iter().find_map(|(recv, k, arg)| match arg {
            Arg::Value(v)
                if *k == field
                    && class.is_none_or(|c| self.classes.get(recv).is_some_and(|rc| rc == c)) =>
            {
                Some(v.as_str())
            }
            _ => None,
        })
    }
}

/// The text between `open` (which ends in `(`) and its closing parenthesis.
fn call_args<'a>(line: &'a str, open: &str) -> Option<&'a str> {
    let start = line.find(open)? + open.len();
    let rest = &line[start..];
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                if depth == 0 {
                    return Some(&rest[..i]);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// Top-level comma-separated arguments.
fn split_args(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut start = 0;
    for (i, c) in args.char_indices() {
        match c {
            '"' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => depth = depth.saturating_sub(1),
            ',' if !in_string && depth == 0 => {
                out.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = args[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// `Outer.Class obj1 = new Outer.Class();` → (`obj1`, `Class`);
/// `List<Outer.Class> list3 = new ArrayList<…>();` → (`list3`, `Class`).
fn declaration(line: &str) -> Option<(String, String)> {
    let (lhs, rhs) = line.split_once('=')?;
    if !rhs.trim_start().starts_with("new ") {
        return None;
    }
    let lhs = lhs.trim();
    let (ty, var) = lhs.rsplit_once(char::is_whitespace)?;
    let ty = ty.trim();
    if !is_word(var) {
        return None;
    }
    let ty = match ty.split_once('<') {
        Some((_, inner)) => inner.trim_end_matches('>'),
        None => ty,
    };
    let class = ty.rsplit('.').next()?.trim();
    is_word(class).then(|| (var.to_owned(), class.to_owned()))
}

/// `obj4.setServiceCode("123,456,789");` → (`obj4`, `servicecode`, the value).
fn setter(line: &str) -> Option<(String, String, Arg)> {
    let (recv, rest) = line.split_once(".set")?;
    if !is_word(recv) {
        return None;
    }
    let (name, _) = rest.split_once('(')?;
    if !is_word(name) {
        return None;
    }
    let args = call_args(line, &format!(".set{name}("))?;
    let arg = args.trim();
    // A variable starts with a letter; `1L` is a literal.
    let variable = arg.starts_with(|c: char| c.is_alphabetic() || c == '_');
    let arg = if variable && is_word(arg) && !matches!(arg, "true" | "false" | "null") {
        Arg::Var(arg.to_owned())
    } else {
        Arg::Value(literal(arg))
    };
    Some((recv.to_owned(), key(name), arg))
}

/// A Java literal as the page's example column writes it: `"x"` → `x`, `12L` → `12`,
/// `StringUtils.parseDateTime("…")` → `…`.
fn literal(arg: &str) -> String {
    if let Some(inner) = call_args(arg, "(") {
        return literal(inner.trim());
    }
    if let Some(s) = arg.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    let number = arg.trim_end_matches(['L', 'l']);
    if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return number.to_owned();
    }
    arg.to_owned()
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_classes_setters_and_session() {
        let code = [
            "QimenCloudClient client = new DefaultQimenCloudClient(url, appkey, secret);",
            "TmallCarLeaseSignstatusSynchronizeRequest.Struct obj1 = new TmallCarLeaseSignstatusSynchronizeRequest.Struct();",
            "obj1.setRestAmount(\"100000\");",
            "req.setTypeDTO(obj1);",
            "req.setStatus(1L);",
            "List<A.RiskInfoSyncDTO> list3 = new ArrayList<A.RiskInfoSyncDTO>();",
            "obj4.setServiceUseTime(StringUtils.parseDateTime(\"2000-01-01 00:00:00\"));",
            "TmallCarLeaseSignstatusSynchronizeResponse rsp = client.execute(req, sessionKey);",
        ];
        let s = Sample::read(code.iter().enumerate().map(|(i, l)| (i + 1, *l)));
        assert_eq!(s.client, Some((Client::Qimen, 1)));
        assert_eq!(s.session, Some((Session::Required, 8)));
        assert_eq!(
            s.child_class(Some(ROOT), "typeDTO").as_deref(),
            Some("Struct")
        );
        assert!(s.sets("Struct", "restAmount"));
        assert_eq!(s.value(Some(ROOT), "status"), Some("1"));
        assert_eq!(
            s.value(None, "service_use_time"),
            Some("2000-01-01 00:00:00")
        );
        assert_eq!(
            s.classes.get("list3").map(String::as_str),
            Some("RiskInfoSyncDTO")
        );
    }
}
