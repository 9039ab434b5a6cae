use super::frame::FrameErrorKind;
use super::*;

fn every_value() -> Vec<(String, Value)> {
    vec![
        ("void".into(), Value::Void),
        ("empty".into(), Value::String(String::new())),
        ("s".into(), Value::String("淘宝 trade ✓".into())),
        ("b".into(), Value::Byte(0xFE)),
        ("i16".into(), Value::Int16(-2)),
        ("i32".into(), Value::Int32(i32::MIN)),
        ("i64".into(), Value::Int64(i64::MAX)),
        ("date".into(), Value::Date(1_700_000_000_123)),
        ("bytes".into(), Value::Bytes(vec![0, 1, 255])),
        ("no bytes".into(), Value::Bytes(Vec::new())),
    ]
}

#[test]
fn every_header_and_value_type_round_trips() {
    for t in [
        MessageType::Connect,
        MessageType::ConnectAck,
        MessageType::Send,
        MessageType::SendAck,
    ] {
        let mut f = Frame::new(t);
        f.status_code = Some(-7);
        f.status_phrase = Some("拒绝".into());
        f.flag = Some(3);
        f.token = Some("tok".into());
        f.headers = every_value();
        assert_eq!(decode(&encode(&f)), Ok(f.clone()));
        let bare = Frame::new(t);
        assert_eq!(decode(&encode(&bare)), Ok(bare));
    }
}

#[test]
fn hand_written_bytes_decode() {
    // version 2, send; token "ab"; custom "id" int64 2^53+1; custom "t" string "é"
    // (2 UTF-8 bytes); status code 5; end.
    let mut b = vec![2u8, 2];
    b.extend([5, 0, 2, 0, 0, 0, b'a', b'b']);
    b.extend([1, 0, 2, 0, 0, 0, b'i', b'd', 5]);
    b.extend([1, 0, 0, 0, 0, 0, 0x20, 0]);
    b.extend([1, 0, 1, 0, 0, 0, b't', 1, 2, 0, 0, 0, 0xC3, 0xA9]);
    b.extend([2, 0, 5, 0, 0, 0]);
    b.extend([0, 0]);
    let f = decode(&b).unwrap();
    assert_eq!(f.message_type, MessageType::Send);
    assert_eq!(f.token.as_deref(), Some("ab"));
    assert_eq!(f.status_code, Some(5));
    assert_eq!(f.header("id"), Some(&Value::Int64(9_007_199_254_740_993)));
    assert_eq!(f.header("t"), Some(&Value::String("é".into())));
    // Re-encoded, standard headers come first; the custom ones keep their order.
    assert_eq!(decode(&encode(&f)), Ok(f));
}

#[test]
fn strings_are_counted_in_utf8_bytes() {
    let mut f = Frame::new(MessageType::Send);
    f.headers = vec![("键".into(), Value::String("买家".into()))];
    let b = encode(&f);
    // key length: 3 bytes for one character; value length: 6 bytes for two.
    assert_eq!(&b[4..8], &3i32.to_le_bytes());
    assert_eq!(&b[11..12], &[1]);
    assert_eq!(&b[12..16], &6i32.to_le_bytes());
    assert_eq!(b.len(), 2 + 2 + 4 + 3 + 1 + 4 + 6 + 2);
}

#[test]
fn ids_above_2_pow_53_stay_exact() {
    let id = (1i64 << 53) + 1;
    let mut f = Frame::new(MessageType::Send);
    f.headers = vec![
        ("id".into(), Value::Int64(id)),
        (
            "topic".into(),
            Value::String("taobao_trade_TradeBuyerPay".into()),
        ),
    ];
    let m = Message::from_frame(&decode(&encode(&f)).unwrap()).unwrap();
    assert_eq!(m.id, id);
    assert_eq!(
        decode(&encode(&confirm_frame("t", id)))
            .unwrap()
            .header("id"),
        Some(&Value::Int64(id))
    );
}

fn err(bytes: &[u8]) -> (usize, FrameErrorKind) {
    let e = decode(bytes).unwrap_err();
    (e.offset, e.kind)
}

#[test]
fn malformed_frames_are_errors_at_their_offset() {
    assert!(matches!(
        err(&[]),
        (
            0,
            FrameErrorKind::Truncated {
                what: "protocol version",
                ..
            }
        )
    ));
    assert_eq!(
        err(&[1, 0, 0, 0]),
        (0, FrameErrorKind::UnsupportedVersion(1))
    );
    assert_eq!(
        err(&[2, 4, 0, 0]),
        (1, FrameErrorKind::UnknownMessageType(4))
    );
    assert!(matches!(
        err(&[2, 0]),
        (
            2,
            FrameErrorKind::Truncated {
                what: "header type",
                ..
            }
        )
    ));
    assert!(matches!(
        err(&[2, 0, 0]),
        (
            2,
            FrameErrorKind::Truncated {
                needed: 2,
                remaining: 1,
                ..
            }
        )
    ));
    assert_eq!(
        err(&[2, 0, 6, 0, 0, 0]),
        (2, FrameErrorKind::UnknownHeaderType(6))
    );
    assert_eq!(err(&[2, 0, 0, 0, 9]), (4, FrameErrorKind::TrailingBytes(1)));
    // custom "k" with value type 8
    assert_eq!(
        err(&[2, 2, 1, 0, 1, 0, 0, 0, b'k', 8, 0, 0]),
        (9, FrameErrorKind::UnknownValueType(8))
    );
    // an int64 value cut short
    assert!(matches!(
        err(&[2, 2, 1, 0, 1, 0, 0, 0, b'k', 5, 1, 2]),
        (
            10,
            FrameErrorKind::Truncated {
                what: "int64 value",
                needed: 8,
                remaining: 2
            }
        )
    ));
    // a token claiming 2 GiB: an error before any allocation
    assert_eq!(
        err(&[2, 1, 5, 0, 0xFF, 0xFF, 0xFF, 0x7F, b'x']),
        (
            8,
            FrameErrorKind::Truncated {
                what: "token",
                needed: i32::MAX as usize,
                remaining: 1
            }
        )
    );
    assert_eq!(
        err(&[2, 1, 3, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
        (
            4,
            FrameErrorKind::NegativeLength {
                what: "status phrase",
                len: -1
            }
        )
    );
    assert_eq!(
        err(&[2, 1, 5, 0, 1, 0, 0, 0, 0xFF, 0, 0]),
        (4, FrameErrorKind::InvalidUtf8 { what: "token" })
    );
    let e = decode(&[2, 0, 6, 0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed TMC frame at byte 2: unknown header type 6"
    );
    // Every prefix of a valid frame is an error, never a panic.
    let mut f = Frame::new(MessageType::Send);
    f.token = Some("t".into());
    f.headers = every_value();
    let b = encode(&f);
    for n in 0..b.len() {
        assert!(decode(&b[..n]).is_err(), "prefix of {n} bytes");
    }
}

#[test]
fn connect_sign_matches_an_independent_md5() {
    // python3: hashlib.md5(b"secapp_key12345group_namedefaulttimestamp1700000000000sec")
    //          .hexdigest().upper()
    let expected = "48EE5613138CF9D3755A27AF58B6EC36";
    assert_eq!(
        connect_sign("12345", "sec", "default", "1700000000000"),
        expected
    );
    let f = decode(&encode(&connect_frame(
        "12345",
        "sec",
        "default",
        1_700_000_000_000,
    )))
    .unwrap();
    assert_eq!(f.message_type, MessageType::Connect);
    let s = |k| f.header(k).and_then(Value::as_str);
    assert_eq!(s("app_key"), Some("12345"));
    assert_eq!(s("group_name"), Some("default"));
    assert_eq!(s("timestamp"), Some("1700000000000"));
    assert_eq!(s("sdk"), Some(SDK));
    assert_eq!(s("sign"), Some(expected));
}

#[test]
fn connect_ack_gives_the_token_or_the_refusal() {
    let mut ack = Frame::new(MessageType::ConnectAck);
    ack.token = Some("tk".into());
    assert_eq!(read_connect_ack(&ack), Ok("tk".into()));
    ack.status_code = Some(400);
    ack.status_phrase = Some("sign error".into());
    assert_eq!(
        read_connect_ack(&ack),
        Err(ConnectError::Refused {
            code: 400,
            phrase: Some("sign error".into())
        })
    );
    assert_eq!(
        read_connect_ack(&Frame::new(MessageType::ConnectAck)),
        Err(ConnectError::NoToken)
    );
    assert_eq!(
        read_connect_ack(&Frame::new(MessageType::Send)),
        Err(ConnectError::NotAnAck(MessageType::Send))
    );
}

#[test]
fn messages_are_recognised_with_their_fields() {
    let mut f = Frame::new(MessageType::Send);
    f.headers = vec![
        ("extra".into(), Value::Bytes(vec![1])),
        ("id".into(), Value::Int64(42)),
        (
            "topic".into(),
            Value::String("taobao_refund_RefundCreated".into()),
        ),
        (
            "content".into(),
            Value::String("{\"buyer_nick\":\"张三\"}".into()),
        ),
        ("pub_time".into(), Value::Date(1_700_000_000_000)),
        ("pub_app_key".into(), Value::String("12497914".into())),
        ("user_id".into(), Value::Int64(99)),
        ("user_nick".into(), Value::String("店铺".into())),
        ("outgoing".into(), Value::Int32(0)),
    ];
    let m = Message::from_frame(&f).unwrap();
    assert_eq!(
        (m.id, m.topic.as_str()),
        (42, "taobao_refund_RefundCreated")
    );
    assert_eq!(m.content.as_deref(), Some("{\"buyer_nick\":\"张三\"}"));
    assert_eq!(
        (m.pub_time, m.user_id, m.outgoing),
        (Some(1_700_000_000_000), Some(99), Some(0))
    );
    assert_eq!(
        (m.pub_app_key.as_deref(), m.user_nick.as_deref()),
        (Some("12497914"), Some("店铺"))
    );
    // Without an id or topic, or not a send frame, it is no message.
    let mut no_topic = f.clone();
    no_topic.headers.retain(|(k, _)| k != "topic");
    assert_eq!(Message::from_frame(&no_topic), None);
    let mut ack = f.clone();
    ack.message_type = MessageType::SendAck;
    assert_eq!(Message::from_frame(&ack), None);
    let minimal = Message::from_frame(&Frame {
        headers: f.headers[1..3].to_vec(),
        ..f.clone()
    })
    .unwrap();
    assert_eq!((minimal.content, minimal.user_nick), (None, None));
}

#[test]
fn confirm_and_pull_frames() {
    let c = confirm_frame("tk", 7);
    assert_eq!(
        (c.message_type, c.token.as_deref()),
        (MessageType::Send, Some("tk"))
    );
    assert_eq!(c.header("__kind"), Some(&Value::Byte(2)));
    assert_eq!(c.header("id"), Some(&Value::Int64(7)));
    let p = pull_frame("tk");
    assert_eq!(
        (p.message_type, p.token.as_deref()),
        (MessageType::Send, Some("tk"))
    );
    assert_eq!(p.headers, vec![("__kind".to_string(), Value::Byte(1))]);
}

#[test]
fn debug_redacts_contents_sign_and_token() {
    let mut f = connect_frame("12345", "sec", "default", 1);
    f.token = Some("SECRET_TOKEN".into());
    f.headers
        .push(("content".into(), Value::String("张三 13800000000".into())));
    let text = format!("{f:?}");
    for leak in [
        connect_sign("12345", "sec", "default", "1").as_str(),
        "SECRET_TOKEN",
        "张三",
        "13800000000",
    ] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
    assert!(text.contains("content") && text.contains("redacted"));
    let mut s = Frame::new(MessageType::Send);
    s.headers = vec![
        ("id".into(), Value::Int64(1)),
        ("topic".into(), Value::String("t".into())),
        ("content".into(), Value::String("张三 13800000000".into())),
        ("user_nick".into(), Value::String("买家昵称".into())),
    ];
    let m = format!("{:?}", Message::from_frame(&s).unwrap());
    assert!(!m.contains("张三") && !m.contains("买家昵称"), "{m}");
}
