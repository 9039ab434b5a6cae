//! Real TOP method names (camelCase segments, digits, hyphens) generate valid Rust names, and
//! two methods that would share a module or type name are an error naming both.

use std::fs;

fn spec(method: &str) -> String {
    format!(
        "method: {method}\nclient: top\nsession: none\nrequest:\n  - name: id\n    type: Number\n"
    )
}

#[test]
fn methods_that_share_a_module_are_a_located_error_naming_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    for method in ["taobao.user.infoGet", "taobao.user.info_get"] {
        fs::write(dir.path().join(format!("{method}.yaml")), spec(method)).expect("write");
    }
    let error = topgen::load::load_dir(dir.path()).expect_err("the two collide");
    let text = error.to_string();
    assert!(
        text.contains(
            "`taobao.user.info_get` and `taobao.user.infoGet` both generate `taobao_user_info_get`"
        ),
        "{text}"
    );
    // Located at the later spec's method value, line 1, column 9.
    assert!(text.contains("taobao.user.info_get.yaml:1:9"), "{text}");
}

#[test]
fn real_method_names_generate_and_render() {
    let dir = tempfile::tempdir().expect("temp dir");
    let methods = [
        "taobao.miniapp.userInfo.get",
        "alitrip.flight.basic.data.city.queryAll",
        "account.aliyuncs.com.GetPubKey.2013-07-01",
    ];
    for method in methods {
        fs::write(dir.path().join(format!("{method}.yaml")), spec(method)).expect("write");
    }
    let apis = topgen::load::load_dir(dir.path()).expect("real names are valid");
    let modules: Vec<&str> = apis.iter().map(|a| a.module.as_str()).collect();
    assert_eq!(
        modules,
        [
            "account_aliyuncs_com_get_pub_key_2013_07_01",
            "alitrip_flight_basic_data_city_query_all",
            "taobao_miniapp_user_info_get",
        ]
    );
    let rendered = topgen::output::render(&apis).expect("renders");
    let module = &rendered.crate_files["src/account_aliyuncs_com_get_pub_key_2013_07_01.rs"];
    assert!(
        module.contains("pub struct AccountAliyuncsComGetPubKey20130701Request"),
        "{module}"
    );
    assert!(
        module.contains(
            "const METHOD: &'static str = \"account.aliyuncs.com.GetPubKey.2013-07-01\";"
        )
    );
}
