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

/// Whether `method` has the shape of a TOP method name: dotted segments of ASCII letters,
/// digits, `_` and `-`, the first starting with a lowercase letter. Real methods are not all lowercase:
/// `taobao.miniapp.userInfo.get`, `account.aliyuncs.com.GetPubKey.2013-07-01`.
pub fn is_valid_method(method: &str) -> bool {
    let mut segments = method.split('.');
    let starts_with_letter = method.starts_with(|c: char| c.is_ascii_lowercase());
    starts_with_letter
        && segments.clone().count() >= 2
        && segments.all(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

/// Whether `topic` has the shape of a TMC topic: ASCII letters, digits and `_`, starting
/// with a lowercase letter, with at least one `_` inside (`taobao_trade_TradeBuyerPay`).
pub fn is_valid_topic(topic: &str) -> bool {
    topic.starts_with(|c: char| c.is_ascii_lowercase())
        && topic.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && topic.trim_matches('_').contains('_')
}

/// A topic's module: `taobao_trade_TradeBuyerPay` → `taobao_trade_trade_buyer_pay`.
pub fn topic_module(topic: &str) -> String {
    fix_identifier(topic.to_snake_case())
}

/// A topic's content type: `taobao_trade_TradeBuyerPay` → `TaobaoTradeTradeBuyerPay`.
pub fn topic_type(topic: &str) -> String {
    type_name(topic)
}

/// `tmall.fin.car.open.bill.notify` → `tmall_fin_car_open_bill_notify`;
/// `taobao.miniapp.userInfo.get` → `taobao_miniapp_user_info_get`.
pub fn module_name(method: &str) -> String {
    let segments: Vec<String> = method.split('.').map(ToSnakeCase::to_snake_case).collect();
    fix_identifier(segments.join("_"))
}

/// `tmall.fin.car.open.bill.notify` → `TmallFinCarOpenBillNotify`;
/// `account.aliyuncs.com.GetPubKey.2013-07-01` → `AccountAliyuncsComGetPubKey20130701`.
pub fn api_type_prefix(method: &str) -> String {
    let prefix: String = method
        .split('.')
        .map(ToUpperCamelCase::to_upper_camel_case)
        .collect();
    // A valid method starts with a letter, so the prefix is an identifier; this keeps any
    // other input from producing a broken one.
    if prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
        prefix
    } else {
        format!("Api{prefix}")
    }
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
    fn real_method_names() {
        let cases = [
            (
                "taobao.miniapp.userInfo.get",
                "taobao_miniapp_user_info_get",
                "TaobaoMiniappUserInfoGet",
            ),
            (
                "alitrip.flight.basic.data.city.queryAll",
                "alitrip_flight_basic_data_city_query_all",
                "AlitripFlightBasicDataCityQueryAll",
            ),
            (
                "account.aliyuncs.com.GetPubKey.2013-07-01",
                "account_aliyuncs_com_get_pub_key_2013_07_01",
                "AccountAliyuncsComGetPubKey20130701",
            ),
            ("alibaba.o2o.x_y", "alibaba_o2o_x_y", "AlibabaO2oXY"),
        ];
        for (method, module, prefix) in cases {
            assert!(is_valid_method(method), "{method}");
            assert_eq!(module_name(method), module);
            assert_eq!(api_type_prefix(method), prefix);
        }
        for bad in [
            "taobao",
            "taobao..get",
            "taobao.item.get.",
            "1688.x.y",
            ".a.b",
            "a.b/c",
            "../../x.y",
            "a.b\0c",
            "a.b c",
            "/etc.passwd",
            "Taobao.item.get",
        ] {
            assert!(!is_valid_method(bad), "{bad}");
        }
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
