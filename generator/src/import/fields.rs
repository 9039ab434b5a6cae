//! Facts a field's description states in words, applied the same way by every reader:
//! `最大长度:32` → `max_length`, `一批次最大100条` → `max_items`, `0.退车,1.买断` → `values`.

use super::loc;
use super::prose;
use crate::spec::{CodedValue, Field};

/// What stated a field's structured limits, for the message when the prose disagrees:
/// the page's 更多限制 cell, or the doc JSON's `maxLength`/`maxListSize`.
#[derive(Debug, Clone, Copy)]
pub struct LimitSources {
    pub max_length: &'static str,
    pub max_items: &'static str,
}

/// Reads limits and coded values from the field's description into the field. A structured
/// limit already set wins over the prose; a disagreement is returned as a warning message.
/// `scalar` is false for struct-typed fields, which take neither.
pub fn apply_description(field: &mut Field, scalar: bool, sources: LimitSources) -> Vec<String> {
    let mut warnings = Vec::new();
    let Some(description) = field.description.as_ref().map(|d| d.value.clone()) else {
        return warnings;
    };
    let (base, list) = match field.ty.value.strip_suffix("[]") {
        Some(base) => (base.to_owned(), true),
        None => (field.ty.value.clone(), false),
    };
    let text_or_number = scalar && matches!(base.as_str(), "String" | "Number");
    if !list
        && text_or_number
        && let Some(n) = prose::max_length_in(&description)
    {
        match &field.max_length {
            None => field.max_length = Some(loc(n)),
            Some(l) if l.value != n => {
                let kept = l.value;
                warnings.push(format!(
                    "`{}`: the description says 最大长度 {n} but {} says {kept}; kept {kept}",
                    field.name.value, sources.max_length
                ));
            }
            Some(_) => {}
        }
    }
    if list && let Some(n) = prose::max_items_in(&description) {
        match &field.max_items {
            None => field.max_items = Some(loc(n)),
            Some(l) if l.value != n => {
                let kept = l.value;
                warnings.push(format!(
                    "`{}`: the description says at most {n} items but {} says {kept}; kept {kept}",
                    field.name.value, sources.max_items
                ));
            }
            Some(_) => {}
        }
    }
    if !list
        && text_or_number
        && let Some(codes) = prose::coded_values(&description, base == "Number")
    {
        field.values = Some(loc(codes
            .into_iter()
            .map(|c| CodedValue {
                code: loc(c.code),
                description: c.description.map(loc),
                rust_name: None,
            })
            .collect()));
    }
    warnings
}
