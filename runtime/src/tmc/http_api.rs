//! The two TMC HTTP APIs the fallback calls, `taobao.tmc.messages.consume` and
//! `taobao.tmc.messages.confirm`, as request and response types of the runtime's own (no
//! `topgen add` needed), field names from their API docs.

use std::fmt;

use serde_json::Value;

use super::{Message, Redacted};
use crate::DateTime;
use crate::api::{ApiRequest, ClientFamily, Params, SessionRequirement};
use crate::client::SessionFree;
use crate::lenient::{self, Fields};
use crate::validate::{Path, Rule, Validate, ValidationErrors};
use crate::view::{AsJson, JsonObject, JsonView};

/// The fewest and most messages one consume may ask for.
pub const QUANTITY_RANGE: std::ops::RangeInclusive<i64> = 10..=200;
/// The most ids one confirm may carry (each list).
pub const MAX_CONFIRM_IDS: usize = 200;

/// `taobao.tmc.messages.consume`: takes up to `quantity` messages of a group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmcMessagesConsumeRequest {
    /// `group_name`; the default group when absent.
    pub group_name: Option<String>,
    /// `quantity`, 10 to 200.
    pub quantity: Option<i64>,
}

impl Validate for TmcMessagesConsumeRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        if let Some(q) = self.quantity {
            if q < *QUANTITY_RANGE.start() {
                errors.push(
                    &at.field("quantity"),
                    Rule::MinValue {
                        min: *QUANTITY_RANGE.start(),
                        actual: q,
                    },
                );
            } else if q > *QUANTITY_RANGE.end() {
                errors.push(
                    &at.field("quantity"),
                    Rule::MaxValue {
                        max: *QUANTITY_RANGE.end(),
                        actual: q,
                    },
                );
            }
        }
    }
}

impl ApiRequest for TmcMessagesConsumeRequest {
    const METHOD: &'static str = "taobao.tmc.messages.consume";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = TmcMessagesConsumeResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("group_name", &self.group_name);
        out.value("quantity", &self.quantity);
    }

    fn read_response(result: Value) -> Result<TmcMessagesConsumeResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl SessionFree for TmcMessagesConsumeRequest {}

/// The answer to a consume: `messages`, absent when there are none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmcMessagesConsumeResponse {
    /// `messages`.
    pub messages: Option<Vec<TmcMessage>>,
}

/// One message as the HTTP API gives it. `Debug` omits its contents and nick.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TmcMessage {
    /// `id`: the key to confirm with and to deduplicate on.
    pub id: Option<i64>,
    /// `topic`.
    pub topic: Option<String>,
    /// `content`, JSON text (buyer data).
    pub content: Option<String>,
    /// `pub_time`, China time.
    pub pub_time: Option<DateTime>,
    /// `pub_app_key`.
    pub pub_app_key: Option<String>,
    /// `user_id`.
    pub user_id: Option<i64>,
    /// `user_nick`.
    pub user_nick: Option<String>,
}

impl fmt::Debug for TmcMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TmcMessage")
            .field("id", &self.id)
            .field("topic", &self.topic)
            .field("content", &self.content.as_ref().map(|c| Redacted(c.len())))
            .field("pub_time", &self.pub_time)
            .field("pub_app_key", &self.pub_app_key)
            .field("user_id", &self.user_id)
            .field(
                "user_nick",
                &self.user_nick.as_ref().map(|c| Redacted(c.len())),
            )
            .finish()
    }
}

impl TmcMessage {
    /// The [`Message`] handlers take; `None` without an id or topic (it could not be
    /// confirmed).
    pub fn to_message(&self) -> Option<Message> {
        Some(Message {
            id: self.id?,
            topic: self.topic.clone()?,
            content: self.content.clone(),
            pub_time: self
                .pub_time
                .and_then(DateTime::to_timestamp)
                .map(|t| t.as_millisecond()),
            pub_app_key: self.pub_app_key.clone(),
            user_id: self.user_id,
            user_nick: self.user_nick.clone(),
            outgoing: None,
        })
    }
}

impl lenient::Item for TmcMessage {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        let read = TmcMessage {
            id: fields.value("id"),
            topic: fields.value("topic"),
            content: fields.value("content"),
            pub_time: fields.value("pub_time"),
            pub_app_key: fields.value("pub_app_key"),
            user_id: fields.value("user_id"),
            user_nick: fields.value("user_nick"),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl lenient::Item for TmcMessagesConsumeResponse {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        let read = TmcMessagesConsumeResponse {
            messages: fields.list("messages"),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl<'de> serde::Deserialize<'de> for TmcMessagesConsumeResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient::deserialize(deserializer)
    }
}

impl AsJson for TmcMessage {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(7);
        out.put("id", &self.id);
        out.put("topic", &self.topic);
        out.put("content", &self.content);
        out.put("pub_time", &self.pub_time);
        out.put("pub_app_key", &self.pub_app_key);
        out.put("user_id", &self.user_id);
        out.put("user_nick", &self.user_nick);
        out.into()
    }
}

impl AsJson for TmcMessagesConsumeResponse {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(1);
        out.put("messages", &self.messages);
        out.into()
    }
}

/// `taobao.tmc.messages.confirm`: confirms handled messages (`s_message_ids`, required, at
/// most 200) and names failed ones (`f_message_ids`, which the API docs call deprecated:
/// unconfirmed messages come again either way).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmcMessagesConfirmRequest {
    /// `group_name`; the default group when absent.
    pub group_name: Option<String>,
    /// `s_message_ids`: handled, comma-separated on the wire.
    pub s_message_ids: Vec<i64>,
    /// `f_message_ids`: failed.
    pub f_message_ids: Option<Vec<i64>>,
}

impl Validate for TmcMessagesConfirmRequest {
    fn validate_at(&self, at: &Path<'_>, errors: &mut ValidationErrors) {
        if self.s_message_ids.is_empty() {
            errors.push(&at.field("s_message_ids"), Rule::Missing);
        }
        for (name, len) in [
            ("s_message_ids", self.s_message_ids.len()),
            (
                "f_message_ids",
                self.f_message_ids.as_ref().map_or(0, Vec::len),
            ),
        ] {
            if len > MAX_CONFIRM_IDS {
                errors.push(
                    &at.field(name),
                    Rule::MaxItems {
                        max: MAX_CONFIRM_IDS,
                        actual: len,
                    },
                );
            }
        }
    }
}

impl ApiRequest for TmcMessagesConfirmRequest {
    const METHOD: &'static str = "taobao.tmc.messages.confirm";
    const CLIENT: ClientFamily = ClientFamily::Top;
    const SESSION: SessionRequirement = SessionRequirement::None;
    type Response = TmcMessagesConfirmResponse;

    fn params<'a>(&'a self, out: &mut Params<'a>) {
        out.value("group_name", &self.group_name);
        out.value("s_message_ids", &self.s_message_ids);
        out.value("f_message_ids", &self.f_message_ids);
    }

    fn read_response(result: Value) -> Result<TmcMessagesConfirmResponse, lenient::Error> {
        lenient::read(result)
    }
}

impl SessionFree for TmcMessagesConfirmRequest {}

/// The answer to a confirm.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmcMessagesConfirmResponse {
    /// `is_success`.
    pub is_success: Option<bool>,
}

impl lenient::Item for TmcMessagesConfirmResponse {
    fn from_json(value: Value) -> Result<Option<Self>, lenient::Error> {
        let Some(mut fields) = Fields::new(value)? else {
            return Ok(None);
        };
        let read = TmcMessagesConfirmResponse {
            is_success: fields.value("is_success"),
        };
        fields.finish()?;
        Ok(Some(read))
    }
}

impl<'de> serde::Deserialize<'de> for TmcMessagesConfirmResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient::deserialize(deserializer)
    }
}

impl AsJson for TmcMessagesConfirmResponse {
    fn as_json(&self) -> JsonView<'_> {
        let mut out = JsonObject::with_capacity(1);
        out.put("is_success", &self.is_success);
        out.into()
    }
}
