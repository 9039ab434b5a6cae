//! Each lint rule on a spec that breaks it, and the seed specs' warnings.

use topgen::lint::lint;

const SPEC: &str = r#"# yaml-language-server: $schema=spec.schema.json
method: taobao.demo.lint.check
client: top
session: none

request:
  - name: nick
    type: String
  - name: kind
    type: String
    example: 字符串
    max_length: 8
    description: 类型
  - name: obj
    type: Struct
    description: 对象

response:
  - name: note
    type: String
    example: ok
    description: 响应字段不需要最大长度

structs:
  - name: Struct
    fields:
      - name: code
        type: String
        example: A
        description: 编码
        values:
          - code: A
"#;

#[test]
fn every_rule_fires_where_it_should_and_nowhere_else() {
    let warnings = lint("specs/taobao.demo.lint.check.yaml", SPEC.to_owned()).expect("valid");
    let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "specs/taobao.demo.lint.check.yaml:7:11: [missing-description] `nick` has no description (add the page's 描述)",
            "specs/taobao.demo.lint.check.yaml:7:11: [missing-example] `nick` has no example (add the page's 示例值; protocol tests use it)",
            "specs/taobao.demo.lint.check.yaml:7:11: [string-without-max-length] the request String `nick` has no max_length (add the page's 最大长度, if it states one)",
            "specs/taobao.demo.lint.check.yaml:11:14: [example-restates-type] the example of `kind` only restates its type (give a real value)",
            "specs/taobao.demo.lint.check.yaml:25:11: [generic-struct-name] the struct `Struct` is used once under a generic name (give it a `rust_name` that says what it holds)",
        ]
    );
    assert!(warnings.iter().all(|w| w.is_warning()));
    assert!(
        warnings[0]
            .render()
            .starts_with("warning: [missing-description]")
    );
}

#[test]
fn a_rust_name_answers_the_generic_name_rule() {
    let named = SPEC.replace(
        "  - name: Struct\n",
        "  - name: Struct\n    rust_name: Thing\n",
    );
    let warnings = lint("specs/taobao.demo.lint.check.yaml", named).expect("valid");
    assert!(
        warnings
            .iter()
            .all(|w| !w.message.contains("generic-struct-name"))
    );
}

#[test]
fn invalid_specs_are_errors_not_warnings() {
    let errors = lint(
        "specs/taobao.demo.lint.check.yaml",
        SPEC.replace("type: Struct\n", "type: Strukt\n"),
    )
    .expect_err("invalid");
    assert!(errors.iter().all(|e| !e.is_warning()));
}
