//! What a description or a 更多限制 cell states in words: limits (`最大长度:32`,
//! `一批次最大100条`) and coded values (`0.退车,1.买断`, `客户类型:ALI 阿里客户`).
//!
//! The grammar is strict on purpose: a description is read as a list of codes only when
//! every comma-separated item is a code, so prose such as `type=分期,status=1,代表选择方案`
//! stays prose rather than becoming a wrong enum.

/// A limit stated by a 更多限制 cell or in a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// 最大长度
    MaxLength(u64),
    /// 最大列表长度, or `最大100条` in prose.
    MaxItems(u64),
    /// 最小值
    MinValue(i64),
    /// 最大值
    MaxValue(i64),
}

/// A whole cell that is one limit, e.g. `最大长度:19`.
pub fn limit_cell(cell: &str) -> Option<Limit> {
    let (label, value) = split_label(cell)?;
    let value = value.trim();
    match label.trim() {
        "最大长度" => value.parse().ok().map(Limit::MaxLength),
        "最大列表长度" => value.parse().ok().map(Limit::MaxItems),
        "最小值" => value.parse().ok().map(Limit::MinValue),
        "最大值" => value.parse().ok().map(Limit::MaxValue),
        _ => None,
    }
}

/// `最大长度:32` anywhere in a description.
pub fn max_length_in(text: &str) -> Option<u64> {
    let at = text.find("最大长度")? + "最大长度".len();
    let rest = text[at..].trim_start_matches([':', '：', ' ', '为']);
    leading_number(rest)
}

/// The most items a description states for a list: `一批次最大100条`, `最多10个`,
/// `不超过20条`.
pub fn max_items_in(text: &str) -> Option<u64> {
    for marker in ["最大", "最多", "不超过", "不能超过", "上限"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(marker) {
            let rest = &text[from + i + marker.len()..];
            let rest = rest.trim_start_matches([':', '：', ' ', '为']);
            if let Some(n) = leading_number(rest) {
                let after = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                if ["条", "个", "项", "笔", "组"]
                    .iter()
                    .any(|u| after.starts_with(u))
                {
                    return Some(n);
                }
            }
            from += i + marker.len();
        }
    }
    None
}

fn leading_number(text: &str) -> Option<u64> {
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Splits `label:value` (ASCII or full-width colon).
fn split_label(text: &str) -> Option<(&str, &str)> {
    let i = text.find([':', '：'])?;
    let colon = text[i..].chars().next()?.len_utf8();
    Some((&text[..i], &text[i + colon..]))
}

/// One coded value read from a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub description: Option<String>,
}

/// The coded values a description lists, if it is such a list: after an optional leading
/// `最大长度:N,` and an optional label (`安装类型 `, `客户类型:`), comma-separated items
/// each `CODE SEP meaning` where CODE is digits or UPPER_SNAKE and SEP one of `.`, `:`,
/// `=`, `-`, a space, `表示`, `代表`, `为`, or nothing before a non-ASCII meaning. Digit
/// codes need a meaning; a lone name code (`TMALL_CAR`) is allowed. `numeric` asks for
/// digit codes only (a Number field).
pub fn coded_values(description: &str, numeric: bool) -> Option<Vec<Code>> {
    let mut text = description.trim();
    // The length limit the page puts in front of the description.
    if let Some(rest) = text.strip_prefix("最大长度") {
        let rest = rest.trim_start_matches([':', '：', ' ']);
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        text = rest.trim_start_matches([',', '，', ';', '；', ' ']);
    }
    if let Some(codes) = code_list(text, numeric) {
        return Some(codes);
    }
    // A label before the list: split at the first colon, or else at the first space.
    let candidates = [split_label(text), text.split_once(char::is_whitespace)];
    for (label, rest) in candidates.into_iter().flatten() {
        let label = label.trim();
        if label.is_empty() || label.contains([',', '，']) || starts_code(label) {
            continue;
        }
        if let Some(codes) = code_list(rest.trim(), numeric) {
            return Some(codes);
        }
    }
    None
}

fn starts_code(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit() || c.is_ascii_uppercase())
}

fn code_list(text: &str, numeric: bool) -> Option<Vec<Code>> {
    if text.is_empty() {
        return None;
    }
    let items: Vec<&str> = text
        .split([',', '，', ';', '；', '、'])
        .map(str::trim)
        .collect();
    let mut codes = Vec::with_capacity(items.len());
    for item in &items {
        let code = code_item(item)?;
        let is_digits = code.code.chars().all(|c| c.is_ascii_digit() || c == '-');
        if numeric && !is_digits {
            return None;
        }
        if is_digits && code.description.is_none() {
            return None;
        }
        codes.push(code);
    }
    // Two items for the same code are not a code list.
    let mut seen: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
    seen.sort_unstable();
    seen.dedup();
    (seen.len() == codes.len()).then_some(codes)
}

fn code_item(item: &str) -> Option<Code> {
    let mut end = 0;
    let bytes = item.as_bytes();
    let first = *bytes.first()?;
    if first.is_ascii_digit() || (first == b'-' && bytes.get(1).is_some_and(u8::is_ascii_digit)) {
        end = 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        // `1.5` is a number, not the code 1 with the meaning `5`.
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            return None;
        }
    } else if first.is_ascii_uppercase() {
        while end < bytes.len()
            && (bytes[end].is_ascii_uppercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'_')
        {
            end += 1;
        }
        // A word such as `Alipay` is not a code.
        if bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
    } else {
        return None;
    }
    let code = &item[..end];
    let rest = &item[end..];
    if rest.is_empty() {
        return Some(Code {
            code: code.to_owned(),
            description: None,
        });
    }
    let meaning = ["表示", "代表", "为", ".", ":", "：", "=", "-", " "]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))
        .or_else(|| rest.starts_with(|c: char| !c.is_ascii()).then_some(rest))?;
    let meaning = meaning.trim();
    if meaning.is_empty() || meaning.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(Code {
        code: code.to_owned(),
        description: Some(meaning.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, numeric: bool) -> Option<Vec<(String, Option<String>)>> {
        coded_values(text, numeric)
            .map(|v| v.into_iter().map(|c| (c.code, c.description)).collect())
    }

    fn pairs(list: &[(&str, Option<&str>)]) -> Option<Vec<(String, Option<String>)>> {
        Some(
            list.iter()
                .map(|(c, d)| ((*c).to_owned(), d.map(str::to_owned)))
                .collect(),
        )
    }

    #[test]
    fn reads_the_seed_code_lists() {
        assert_eq!(
            codes("0.退车,1.买断,2.分期,3.续租", false),
            pairs(&[
                ("0", Some("退车")),
                ("1", Some("买断")),
                ("2", Some("分期")),
                ("3", Some("续租"))
            ])
        );
        assert_eq!(
            codes("安装类型 0:无需安装,1:到店安装", true),
            pairs(&[("0", Some("无需安装")), ("1", Some("到店安装"))])
        );
        assert_eq!(
            codes("最大长度:32,客户类型:ALI 阿里客户", false),
            pairs(&[("ALI", Some("阿里客户"))])
        );
        assert_eq!(
            codes("最大长度:32,业务单据类型:TMALL_CAR", false),
            pairs(&[("TMALL_CAR", None)])
        );
        assert_eq!(
            codes("结果码:10000表示成功", false),
            pairs(&[("10000", Some("成功"))])
        );
    }

    #[test]
    fn leaves_prose_alone() {
        for prose in [
            "type=分期,status=1,代表选择方案,2代表签署协议,其他type 下status不需要关注",
            "尾款金额,单位:分",
            "最大长度:64,请求编号:幂等",
            "最大长度:1024,扩展信息 json格式",
            "安装服务编码,多个逗号分隔",
            "最大长度:32,客户id",
            "城市id",
            "价格 1.5元",
            "状态:1",
        ] {
            assert_eq!(codes(prose, false), None, "{prose}");
        }
        assert_eq!(
            codes("渠道:GH_APP 广汇渠道", true),
            None,
            "a Number field takes digit codes"
        );
    }

    #[test]
    fn reads_limits() {
        assert_eq!(limit_cell("最大长度:19"), Some(Limit::MaxLength(19)));
        assert_eq!(limit_cell("最大列表长度：20"), Some(Limit::MaxItems(20)));
        assert_eq!(limit_cell("最小值:-5"), Some(Limit::MinValue(-5)));
        assert_eq!(limit_cell("天猫开新车订单号"), None);
        assert_eq!(max_length_in("最大长度:32,客户id"), Some(32));
        assert_eq!(max_items_in("同步的内容列表,一批次最大100条"), Some(100));
        assert_eq!(max_items_in("最多10个商品"), Some(10));
        assert_eq!(max_items_in("最大长度:32"), None);
    }
}
