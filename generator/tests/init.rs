//! `topgen init` and finding `topgen.toml`: a crate of its own or a workspace member, names
//! checked, nothing overwritten, paths taken from the nearest config.

mod common;
use common::{stderr, topgen};

use std::fs;

#[test]
fn outside_a_workspace_the_crate_is_its_own_root_and_builds_its_config() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let runtime = tmp.path().join("vendor/top-runtime");
    fs::create_dir_all(&runtime).expect("mkdir");
    fs::write(
        runtime.join("Cargo.toml"),
        "[package]\nname = \"top-runtime\"\n",
    )
    .expect("write");

    let out = topgen(
        tmp.path(),
        &[
            "init",
            "apis/shop_top2",
            "--runtime-path",
            "vendor/top-runtime",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("its own workspace root"),
        "{}",
        stderr(&out)
    );
    let dir = tmp.path().join("apis/shop_top2");
    let config = fs::read_to_string(dir.join("topgen.toml")).expect("read");
    assert!(config.contains("name = \"shop_top2\""), "{config}");
    // Relative to the project, which is where topgen.toml is read from.
    assert!(
        config.contains("path = \"../../vendor/top-runtime\""),
        "{config}"
    );
    let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("read");
    assert!(
        manifest.contains(
            "top-runtime = { path = \"../../vendor/top-runtime\", features = [\"reqwest\"] }"
        ),
        "{manifest}"
    );
    assert!(!manifest.contains("[workspace]"), "{manifest}");
    let lib = fs::read_to_string(dir.join("src/lib.rs")).expect("read");
    assert!(lib.contains("`use shop_top2::prelude::*;`"), "{lib}");

    // The config is found from below, and its paths are the project's.
    let out = topgen(&dir.join("src"), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = topgen(&dir.join("src"), &["new", "taobao.shop.thing.get"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("specs/taobao.shop.thing.get.yaml").is_file());
    // A user's files in the crate's directory are not topgen's to delete.
    fs::write(dir.join("NOTES.md"), "mine").expect("write");
    let out = topgen(&dir, &["check"]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("NOTES.md"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn inside_a_workspace_the_crate_joins_its_members_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    fs::write(
        tmp.path().join("Cargo.toml"),
        "# the team's workspace\n[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n",
    )
    .expect("write");
    // Already taken in by a glob: the manifest is left as it is.
    let out = topgen(tmp.path(), &["init", "crates/top"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already a member"),
        "{}",
        stderr(&out)
    );
    let manifest = fs::read_to_string(tmp.path().join("Cargo.toml")).expect("read");
    assert_eq!(
        manifest,
        "# the team's workspace\n[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n"
    );
    // Not matched: added, the comment and layout kept.
    let out = topgen(tmp.path(), &["init", "services/top", "--name", "svc-top"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("added \"services/top\""),
        "{}",
        stderr(&out)
    );
    let manifest = fs::read_to_string(tmp.path().join("Cargo.toml")).expect("read");
    assert_eq!(
        manifest,
        "# the team's workspace\n[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\", \"services/top\"]\n"
    );
    let config = fs::read_to_string(tmp.path().join("services/top/topgen.toml")).expect("read");
    assert!(config.contains("name = \"svc-top\""), "{config}");
    // The runtime requirement defaults to this topgen's version.
    assert!(
        config.contains(&format!("version = \"{}\"", env!("CARGO_PKG_VERSION"))),
        "{config}"
    );
}

#[test]
fn bad_names_and_existing_projects_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = topgen(tmp.path(), &["init", "Shop"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("lowercase"), "{}", stderr(&out));
    let out = topgen(tmp.path(), &["init", "2fast"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("must start with a letter"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--name"), "{}", stderr(&out));
    assert!(!tmp.path().join("2fast").exists(), "nothing written");

    let out = topgen(tmp.path(), &["init", "x", "--runtime-path", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no Cargo.toml there"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("x").exists(), "nothing written");

    fs::create_dir_all(tmp.path().join("mine")).expect("mkdir");
    fs::write(
        tmp.path().join("mine/Cargo.toml"),
        "[package]\nname = \"mine\"\n",
    )
    .expect("write");
    let out = topgen(tmp.path(), &["init", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("overwrites nothing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("mine/Cargo.toml")).expect("read"),
        "[package]\nname = \"mine\"\n"
    );
    assert!(!tmp.path().join("mine/topgen.toml").exists());

    let out = topgen(
        tmp.path(),
        &[
            "init",
            "y",
            "--runtime-git",
            "https://example.com/t",
            "--runtime-path",
            "p",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "one runtime source: a usage error"
    );
}
