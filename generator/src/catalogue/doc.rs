//! A catalogue doc read for looking at, not importing: the facts `topgen search`, `show` and
//! `list` print. Read as leniently as the doc JSON is written (limits as numbers or numeric
//! strings, the `{"success": true, "data": …}` wrapper or not); a doc that is not JSON or
//! names no method is left out, as `import` reports it.

use serde_json::Value;

use super::Catalogue;
use crate::import::command::Source;

/// One API of the catalogue.
#[derive(Debug, Clone)]
pub struct ApiDoc {
    pub method: String,
    /// `apiChineseName`.
    pub title: String,
    pub description: String,
    /// The category's name (its `catelog.json`), as documented.
    pub category: String,
    /// The category's directory (`tbtrade`).
    pub category_dir: String,
    pub request: Vec<Param>,
    pub response: Vec<Param>,
    /// The doc, as `topgen show --json` prints it.
    pub source: Source,
}

/// One parameter or response field, with the struct type's fields when it has some.
#[derive(Debug, Clone, Default)]
pub struct Param {
    pub name: String,
    pub ty: String,
    pub required: bool,
    pub description: String,
    /// The doc's limits that are set, as `max_length 32`, `max_items 20`, `min 0`, `max 99`.
    pub limits: Vec<String>,
    pub fields: Vec<Param>,
}

impl ApiDoc {
    /// Reads one doc; `None` when it is not a doc with a method.
    pub fn read(source: Source) -> Option<Self> {
        let bytes = source.content.as_deref()?;
        let mut value: Value = serde_json::from_slice(bytes).ok()?;
        if let Some(data) = value.get_mut("data").map(Value::take)
            && data.is_object()
        {
            value = data;
        }
        let text = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let method = text("name");
        if method.is_empty() {
            return None;
        }
        let category_dir = source
            .shown
            .rsplit_once('/')
            .map(|(dir, _)| dir.rsplit(['/', ':']).next().unwrap_or(dir).to_owned())
            .unwrap_or_default();
        Some(Self {
            title: text("apiChineseName"),
            description: text("description"),
            category: source.category.clone().unwrap_or_default(),
            category_dir,
            request: params(value.get("requestParams")),
            response: params(value.get("responseParams")),
            method,
            source,
        })
    }

    /// The category as shown: its name without the trailing comma some docs give it.
    pub fn category_shown(&self) -> &str {
        let name = self.category.trim_end_matches([',', '，']).trim();
        if name.is_empty() {
            &self.category_dir
        } else {
            name
        }
    }

    /// Whether `wanted` names this API's category: its name or its directory, in any case.
    pub fn in_category(&self, wanted: &str) -> bool {
        let wanted = wanted.trim().trim_end_matches([',', '，']).to_lowercase();
        self.category_shown().to_lowercase() == wanted || self.category_dir.to_lowercase() == wanted
    }
}

fn params(list: Option<&Value>) -> Vec<Param> {
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(param).collect())
        .unwrap_or_default()
}

fn param(value: &Value) -> Option<Param> {
    let object = value.as_object()?;
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    // Limits are numbers or numeric strings; anything else is not a limit.
    let number = |key: &str| match object.get(key) {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) if !s.trim().is_empty() && s.trim().parse::<f64>().is_ok() => {
            Some(s.trim().to_owned())
        }
        _ => None,
    };
    let limits = [
        ("maxLength", "max_length"),
        ("maxListSize", "max_items"),
        ("minValue", "min"),
        ("maxValue", "max"),
    ]
    .into_iter()
    .filter_map(|(key, shown)| number(key).map(|n| format!("{shown} {n}")))
    .collect();
    Some(Param {
        name: text("name"),
        ty: text("type"),
        required: object.get("required").and_then(Value::as_bool) == Some(true),
        description: text("description"),
        limits,
        fields: params(object.get("subParams")),
    })
}

/// Every API doc of the catalogue, read on all cores, in path order.
pub fn read_all(catalogue: &Catalogue) -> Vec<ApiDoc> {
    crate::parallel::map(catalogue.sources(), ApiDoc::read)
        .into_iter()
        .flatten()
        .collect()
}

/// Every parameter and field name of a list, nested ones included.
pub fn names(params: &[Param], out: &mut Vec<String>) {
    for p in params {
        out.push(p.name.to_lowercase());
        names(&p.fields, out);
    }
}
