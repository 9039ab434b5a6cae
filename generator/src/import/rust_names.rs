//! Rust names a doc never states: valid placeholders, each marked `# TODO` for a person.

use std::collections::{HashMap, HashSet};

use super::loc;
use crate::names;
use crate::spec::{Field, Spec};
use crate::yamlout::{self, Comments};

/// Gives every name the page cannot state a valid default and a TODO comment: variant names
/// of digit codes (`Code0`), enum names that would clash, Rust field names that collide.
pub fn choose_rust_names(spec: &mut Spec, comments: &mut Comments) {
    let prefix = names::api_type_prefix(&spec.method.value);
    // The generated module's own request and response types (and their builders). Generated
    // code names std, serde and runtime items by full path, so no other name is reserved.
    let mut taken: HashSet<String> = HashSet::new();
    for name in [format!("{prefix}Request"), format!("{prefix}Response")] {
        taken.insert(format!("{name}Builder"));
        taken.insert(name);
    }
    // Struct names first, as resolve claims them.
    let mut struct_names: HashMap<String, String> = HashMap::new();
    for def in &mut spec.structs {
        let mut name = names::type_name(&def.name.value);
        if unavailable(&name, &taken) {
            let base = name.clone();
            name = format!("{base}Struct");
            let mut n = 2;
            while unavailable(&name, &taken) {
                name = format!("{base}{n}");
                n += 1;
            }
            def.rust_name = Some(loc(name.clone()));
            let why = "is taken by another type";
            comments
                .entry(yamlout::struct_key(&def.name.value))
                .or_default()
                .push(format!(
                    "TODO: `{base}` {why}; `{name}` is a placeholder Rust name."
                ));
        } else if def.name.value == "Struct" {
            comments.entry(yamlout::struct_key(&def.name.value)).or_default().push(
                "TODO: the page's type column says only `Struct` (the sample code's class name); give it a `rust_name`."
                    .to_owned(),
            );
        }
        taken.insert(name.clone());
        struct_names.insert(def.name.value.clone(), name);
    }
    let mut owners: Vec<(String, String, &mut Vec<Field>)> = vec![
        (
            "request".to_owned(),
            "Request".to_owned(),
            &mut spec.request,
        ),
        (
            "response".to_owned(),
            "Response".to_owned(),
            &mut spec.response,
        ),
    ];
    for def in &mut spec.structs {
        let rust = struct_names
            .get(&def.name.value)
            .cloned()
            .unwrap_or_default();
        owners.push((def.name.value.clone(), rust, &mut def.fields));
    }
    for (owner, owner_rust, fields) in owners {
        let mut rust_fields: HashSet<String> = HashSet::new();
        for field in fields.iter_mut() {
            let wire = field.name.value.clone();
            let mut rust = names::field_name(&wire);
            if !names::is_identifier(&rust) {
                // A wire name of other characters (`名称`, `a b`): no snake_case form is Rust.
                let base = rust;
                rust = "field".to_owned();
                let mut n = 2;
                while rust_fields.contains(&rust) {
                    rust = format!("field_{n}");
                    n += 1;
                }
                field.rust_name = Some(loc(rust.clone()));
                comments
                    .entry(yamlout::field_key(&owner, &wire))
                    .or_default()
                    .push(format!(
                        "TODO: `{base}` is not a Rust identifier; `{rust}` is a placeholder."
                    ));
            }
            if rust_fields.contains(&rust) {
                let base = rust.clone();
                let mut n = 2;
                while rust_fields.contains(&rust) {
                    rust = format!("{}_{n}", names::unraw(&base));
                    n += 1;
                }
                field.rust_name = Some(loc(rust.clone()));
                comments.entry(yamlout::field_key(&owner, &wire)).or_default().push(format!(
                    "TODO: `{wire}` and another field both become `{base}`; `{rust}` is a placeholder."
                ));
            }
            rust_fields.insert(rust.clone());
            let Some(values) = field.values.as_mut() else {
                continue;
            };
            let mut enum_name = names::type_name(names::unraw(&rust));
            if unavailable(&enum_name, &taken) {
                let base = enum_name.clone();
                enum_name = format!("{owner_rust}{base}");
                let mut n = 2;
                while unavailable(&enum_name, &taken) {
                    enum_name = format!("{owner_rust}{base}{n}");
                    n += 1;
                }
                field.enum_name = Some(loc(enum_name.clone()));
                comments
                    .entry(yamlout::field_key(&owner, &wire))
                    .or_default()
                    .push(format!(
                        "TODO: the enum name `{base}` is taken; `{enum_name}` is a placeholder."
                    ));
            }
            taken.insert(enum_name);
            let mut variants: HashSet<String> = HashSet::new();
            for value in &mut values.value {
                let code = value.code.value.clone();
                let derived = code
                    .starts_with(|c: char| c.is_ascii_alphabetic())
                    .then(|| names::type_name(&code));
                let name = match derived {
                    Some(name) if name != "Unknown" && !variants.contains(&name) => name,
                    _ => {
                        let digits = code.replace('-', "Minus");
                        let mut name = format!("Code{digits}");
                        let mut n = 2;
                        while variants.contains(&name) || !names::is_identifier(&name) {
                            name = format!("Code{n}");
                            n += 1;
                        }
                        value.rust_name = Some(loc(name.clone()));
                        let meaning = value
                            .description
                            .as_ref()
                            .map(|d| format!(" (it means {})", d.value))
                            .unwrap_or_default();
                        comments
                            .entry(yamlout::value_key(&owner, &wire, &code))
                            .or_default()
                            .push(format!("TODO: `{name}` is a placeholder variant name for the code {code}{meaning}."));
                        name
                    }
                };
                variants.insert(name);
            }
        }
    }
}

/// Whether a Rust type name is already used in the module.
fn unavailable(name: &str, taken: &HashSet<String>) -> bool {
    taken.contains(name)
}
