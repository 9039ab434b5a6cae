//! Ranking catalogue APIs by how well words match them (`topgen search`): users know what
//! they want to do (发货, 退款, access token), not the method's name. English words match
//! case-insensitively as method segments, parameter names and text; Chinese words match as
//! substrings, so no spaces are needed between them, and a Chinese phrase the docs never
//! write whole still matches by its two-character pieces (订单发货 → 订单, 发货).

use super::doc::{ApiDoc, names};

/// One API found, with its score (higher is better).
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub doc: &'a ApiDoc,
    pub score: u32,
}

/// What is matched of one doc, lowercased once.
struct Haystack {
    method: String,
    segments: Vec<String>,
    title: String,
    description: String,
    category: String,
    params: Vec<String>,
}

impl Haystack {
    fn of(doc: &ApiDoc) -> Self {
        let method = doc.method.to_lowercase();
        let segments = method
            .split(['.', '_', '-'])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let mut params = Vec::new();
        names(&doc.request, &mut params);
        names(&doc.response, &mut params);
        Self {
            segments,
            method,
            title: doc.title.to_lowercase(),
            description: doc.description.to_lowercase(),
            category: format!("{} {}", doc.category, doc.category_dir).to_lowercase(),
            params,
        }
    }

    /// How well one word matches.
    fn score(&self, word: &str) -> u32 {
        if word.is_ascii() {
            self.score_ascii(word).max(
                // A plural matches its singular, at a little less.
                word.strip_suffix('s')
                    .filter(|w| w.len() >= 3)
                    .map_or(0, |w| self.score_ascii(w).saturating_sub(1)),
            )
        } else {
            self.score_text(word)
        }
    }

    fn score_ascii(&self, word: &str) -> u32 {
        let method = if self.segments.iter().any(|s| s == word) {
            12
        } else if self.method.contains(word) {
            6
        } else {
            0
        };
        let params = if self.params.iter().any(|p| p == word) {
            4
        } else if word.len() >= 3 && self.params.iter().any(|p| p.contains(word)) {
            2
        } else {
            0
        };
        // The title says what the API does: it weighs most after the method.
        let text = [
            (&self.title, 6),
            (&self.category, 3),
            (&self.description, 2),
        ]
        .into_iter()
        .filter(|(text, _)| text.contains(word))
        .map(|(_, points)| points)
        .sum::<u32>();
        method + params + text
    }

    /// A word with Chinese in it: as a substring of the title, category and description, or
    /// else by its two-character pieces when at least half of them occur.
    fn score_text(&self, word: &str) -> u32 {
        let whole = [
            (&self.title, 12),
            (&self.category, 5),
            (&self.description, 3),
            (&self.method, 6),
        ]
        .into_iter()
        .filter(|(text, _)| text.contains(word))
        .map(|(_, points)| points)
        .sum::<u32>();
        if whole > 0 {
            return whole;
        }
        let chars: Vec<char> = word.chars().collect();
        if chars.len() < 3 {
            return 0;
        }
        let pieces: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
        let found = |text: &str| pieces.iter().filter(|p| text.contains(p.as_str())).count();
        let (in_title, in_description) = (found(&self.title), found(&self.description));
        if 2 * in_title.max(in_description) < pieces.len() {
            return 0;
        }
        (3 * in_title + in_description) as u32
    }
}

/// The words of a query: split on white space, lowercased.
pub fn words(query: &[String]) -> Vec<String> {
    query
        .iter()
        .flat_map(|q| q.split_whitespace())
        .map(str::to_lowercase)
        .collect()
}

/// Every API that `words` match, best first; within `category` when given.
pub fn search<'a>(docs: &'a [ApiDoc], words: &[String], category: Option<&str>) -> Vec<Hit<'a>> {
    if words.is_empty() {
        return Vec::new();
    }
    // `access token` also matches the parameter `access_token` as one.
    let joined = words.join("_");
    let mut hits: Vec<Hit> = docs
        .iter()
        .filter(|doc| category.is_none_or(|c| doc.in_category(c)))
        .filter_map(|doc| {
            let hay = Haystack::of(doc);
            let scores: Vec<u32> = words.iter().map(|w| hay.score(w)).collect();
            let mut score: u32 = scores.iter().sum();
            if score == 0 {
                return None;
            }
            // An API every word matches ranks above any that only some words match.
            if scores.iter().all(|s| *s > 0) {
                score = score * 2 + 100;
            }
            if words.len() > 1 && hay.params.contains(&joined) {
                score += 8;
            }
            Some(Hit { doc, score })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.doc.method.len().cmp(&b.doc.method.len()))
            .then(a.doc.method.cmp(&b.doc.method))
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::doc::Param;
    use crate::import::command::Source;

    fn doc(method: &str, title: &str, description: &str, params: &[&str]) -> ApiDoc {
        ApiDoc {
            method: method.into(),
            title: title.into(),
            description: description.into(),
            category: "交易API,".into(),
            category_dir: "trade".into(),
            request: params
                .iter()
                .map(|n| Param {
                    name: (*n).into(),
                    ..Param::default()
                })
                .collect(),
            response: Vec::new(),
            source: Source::default(),
        }
    }

    fn methods<'a>(hits: &[Hit<'a>]) -> Vec<&'a str> {
        hits.iter().map(|h| h.doc.method.as_str()).collect()
    }

    #[test]
    fn ranks_by_method_title_params_and_chinese_without_spaces() {
        let docs = vec![
            doc(
                "taobao.logistics.offline.send",
                "自己联系物流（线下物流）发货",
                "用户调用该接口可实现自己联系发货",
                &["tid", "out_sid"],
            ),
            doc(
                "taobao.refunds.receive.get",
                "查询卖家收到的退款列表",
                "查询卖家收到的退款列表",
                &["status"],
            ),
            doc(
                "taobao.top.auth.token.create",
                "获取Access Token",
                "用户授权",
                &["code"],
            ),
            doc(
                "taobao.trade.fullinfo.get",
                "获取单笔交易的详细信息",
                "获取单笔交易的详细信息",
                &["fields", "tid"],
            ),
        ];
        let find = |q: &str| methods(&search(&docs, &words(&[q.to_owned()]), None));
        assert_eq!(find("发货"), ["taobao.logistics.offline.send"]);
        assert_eq!(find("退款"), ["taobao.refunds.receive.get"]);
        assert_eq!(find("Access TOKEN")[0], "taobao.top.auth.token.create");
        assert_eq!(
            find("refund")[0],
            "taobao.refunds.receive.get",
            "plural and singular"
        );
        // Never written whole in any doc: found by its pieces.
        assert_eq!(find("交易详细")[0], "taobao.trade.fullinfo.get");
        assert!(find("xyzzy").is_empty());
        // Matching every word ranks first.
        assert_eq!(find("tid 发货")[0], "taobao.logistics.offline.send");
        let filtered = search(&docs, &words(&["发货".to_owned()]), Some("其他"));
        assert!(filtered.is_empty());
        let filtered = search(&docs, &words(&["发货".to_owned()]), Some("交易API"));
        assert_eq!(methods(&filtered), ["taobao.logistics.offline.send"]);
    }
}
