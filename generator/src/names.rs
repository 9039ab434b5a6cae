//! Rust names for wire names: `orderId` → `order_id`, `RiskInfoSyncDTO` → `RiskInfoSyncDto`.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024, which a raw identifier (`r#type`) can carry.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The snake_case Rust name of a field, raw (`r#type`) when it is a keyword.
pub fn field_name(wire: &str) -> String {
    let snake = wire.to_snake_case();
    fix_identifier(if snake.is_empty() {
        "field".to_owned()
    } else {
        snake
    })
}

/// The UpperCamelCase Rust name of a type or variant.
pub fn type_name(name: &str) -> String {
    let camel = name.to_upper_camel_case();
    fix_identifier(if camel.is_empty() {
        "Value".to_owned()
    } else {
        camel
    })
}

/// `tmall.fin.car.open.bill.notify` → `tmall_fin_car_open_bill_notify`.
pub fn module_name(method: &str) -> String {
    fix_identifier(method.replace('.', "_"))
}

/// `tmall.fin.car.open.bill.notify` → `TmallFinCarOpenBillNotify`.
pub fn api_type_prefix(method: &str) -> String {
    method
        .split('.')
        .map(ToUpperCamelCase::to_upper_camel_case)
        .collect()
}

fn fix_identifier(name: String) -> String {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Whether `name` can be written as a Rust identifier (raw identifiers included).
pub fn is_identifier(name: &str) -> bool {
    let (raw, bare) = match name.strip_prefix("r#") {
        Some(bare) => (true, bare),
        None => (false, name),
    };
    let mut chars = bare.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic());
    if !starts_well || !chars.all(|c| c == '_' || c.is_ascii_alphanumeric()) {
        return false;
    }
    !NOT_RAW.contains(&bare) && (raw || !KEYWORDS.contains(&bare))
}

/// The identifier without a raw prefix, for derived names (`r#type` → `type` → `TypeBuilder`).
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_wire_names() {
        assert_eq!(field_name("orderId"), "order_id");
        assert_eq!(field_name("typeDTO"), "type_dto");
        assert_eq!(
            field_name("bill_status_equest_top"),
            "bill_status_equest_top"
        );
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("3d_url"), "_3d_url");
        assert_eq!(type_name("RiskInfoSyncDTO"), "RiskInfoSyncDto");
        assert_eq!(type_name("GH_APP"), "GhApp");
        assert_eq!(
            api_type_prefix("qimen.tmall.car.lease.signstatus.synchronize"),
            "QimenTmallCarLeaseSignstatusSynchronize"
        );
        assert_eq!(
            module_name("tmall.fin.car.open.bill.notify"),
            "tmall_fin_car_open_bill_notify"
        );
    }

    #[test]
    fn recognises_identifiers() {
        for ok in ["a", "order_id", "r#type", "_3d", "Ali"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "type", "3d", "a-b", "r#self", "self", "_", "天猫"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
