//! Snapshots of what topgen makes of two small specs: the resolved IR and the emitted
//! module. Review changes with `cargo insta review`, or regenerate with
//! `INSTA_UPDATE=always cargo test -p topgen --test snapshots` and read the diff.

use topgen::ir::Api;

/// A TOP API: a request struct nesting a list of another struct, and a coded String field.
const TOP_SPEC: &str = r#"
method: taobao.demo.order.create
title: 创建演示订单
description: 创建一个演示订单
category: 演示
client: top
session: required

request:
  - name: order
    type: OrderInput
    required: true
    description: 订单

response:
  - name: orderId
    type: Number
    example: 1000003461011111014
    description: 订单号

structs:
  - name: OrderInput
    fields:
      - name: channel
        type: String
        required: true
        example: GH_APP
        max_length: 32
        description: 渠道:GH_APP 广汇渠道,ALI 阿里
        values:
          - code: GH_APP
            description: 广汇渠道
          - code: ALI
      - name: items
        type: ItemDTO[]
        required: true
        max_items: 10
        description: 商品,最多10个

  - name: ItemDTO
    fields:
      - name: sku_id
        type: Number
        required: true
        example: 123
        max_length: 19
      - name: created
        type: Date
        example: "2019-09-08 22:33:34"
"#;

/// A Qimen API: a Number-coded request field and a struct in the response.
const QIMEN_SPEC: &str = r#"
method: qimen.demo.status.sync
title: 演示状态同步
client: qimen
session: none

request:
  - name: status
    type: Number
    required: true
    example: 1
    description: 1代表选择方案,2代表签署协议
    enum_name: SyncStatus
    values:
      - code: "1"
        rust_name: Selected
        description: 选择方案
      - code: "2"
        rust_name: Signed
        description: 签署协议

response:
  - name: result
    type: SyncResult
    description: 结果

structs:
  - name: SyncResult
    fields:
      - name: success
        type: Boolean
        example: "true"
      - name: msgCode
        type: String
        example: "002"
        description: 错误码

examples:
  response:
    xml: |
      <result><success>true</success><msgCode>002</msgCode></result>
"#;

fn load(method: &str, text: &str) -> Api {
    let path = format!("specs/{method}.yaml");
    match topgen::load::load_str(&path, text.to_owned()) {
        // The hash includes the generator's own fingerprint, which every generator edit
        // changes; the snapshot is about what the IR says, so it is masked.
        Ok((api, _)) => Api {
            source_hash: "<spec hash>".into(),
            ..api
        },
        Err(diags) => {
            let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!("{method} does not load:\n{}", shown.join("\n"))
        }
    }
}

fn module(api: &Api) -> String {
    topgen::emit::render(
        topgen::emit::types::api_module(api, &api.spec_path),
        &api.spec_path,
        "cargo run -p topgen -- generate",
    )
    .unwrap()
}

#[test]
fn top_ir() {
    insta::assert_debug_snapshot!(load("taobao.demo.order.create", TOP_SPEC));
}

#[test]
fn top_module() {
    let api = load("taobao.demo.order.create", TOP_SPEC);
    insta::assert_snapshot!(module(&api));
}

#[test]
fn qimen_ir() {
    insta::assert_debug_snapshot!(load("qimen.demo.status.sync", QIMEN_SPEC));
}

#[test]
fn qimen_module() {
    let api = load("qimen.demo.status.sync", QIMEN_SPEC);
    insta::assert_snapshot!(module(&api));
}

#[test]
fn emission_is_deterministic() {
    for (method, text) in [
        ("taobao.demo.order.create", TOP_SPEC),
        ("qimen.demo.status.sync", QIMEN_SPEC),
    ] {
        let first = module(&load(method, text));
        let second = module(&load(method, text));
        assert_eq!(first, second, "{method}");
    }
}
