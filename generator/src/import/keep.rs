//! `--keep-names-from`: carries the Rust names an existing spec chose (`rust_name`,
//! `enum_name`, variant names) over to a freshly imported one, matched by wire name within
//! the same owner (`request`, `response`, or a struct by its page name), and variants by
//! code. A page never states these names, so re-importing a page would otherwise lose them.

use std::collections::HashMap;

use crate::spec::{Field, Spec};
use crate::yamlout::{self, Comments};

/// Names chosen for one field.
#[derive(Default)]
struct FieldNames {
    rust_name: Option<String>,
    enum_name: Option<String>,
    variants: HashMap<String, String>,
}

/// Applies the names of `from` to `spec`, removing the TODO comments they answer. Returns
/// how many names were carried over.
pub fn keep_names(spec: &mut Spec, comments: &mut Comments, from: &Spec) -> usize {
    let mut structs: HashMap<&str, &str> = HashMap::new();
    let mut fields: HashMap<(String, String), FieldNames> = HashMap::new();
    let mut collect = |owner: &str, list: &[Field]| {
        for f in list {
            let names = FieldNames {
                rust_name: f.rust_name.as_ref().map(|n| n.value.clone()),
                enum_name: f.enum_name.as_ref().map(|n| n.value.clone()),
                variants: f
                    .values
                    .iter()
                    .flat_map(|v| &v.value)
                    .filter_map(|v| {
                        v.rust_name
                            .as_ref()
                            .map(|n| (v.code.value.clone(), n.value.clone()))
                    })
                    .collect(),
            };
            fields.insert((owner.to_owned(), f.name.value.clone()), names);
        }
    };
    collect("request", &from.request);
    collect("response", &from.response);
    for def in &from.structs {
        collect(&def.name.value, &def.fields);
        if let Some(n) = &def.rust_name {
            structs.insert(&def.name.value, &n.value);
        }
    }

    let mut carried = 0;
    for def in &mut spec.structs {
        if let Some(name) = structs.get(def.name.value.as_str()) {
            let key = yamlout::struct_key(&def.name.value);
            set(&mut def.rust_name, name, &mut carried, comments, &key);
        }
    }
    let mut apply = |owner: &str, list: &mut [Field], comments: &mut Comments| {
        for f in list {
            let Some(names) = fields.get(&(owner.to_owned(), f.name.value.clone())) else {
                continue;
            };
            let key = yamlout::field_key(owner, &f.name.value);
            if let Some(n) = &names.rust_name {
                set(&mut f.rust_name, n, &mut carried, comments, &key);
            }
            let Some(values) = f.values.as_mut() else {
                continue;
            };
            if let Some(n) = &names.enum_name {
                set(&mut f.enum_name, n, &mut carried, comments, &key);
            }
            for v in &mut values.value {
                if let Some(n) = names.variants.get(&v.code.value) {
                    let key = yamlout::value_key(owner, &f.name.value, &v.code.value);
                    set(&mut v.rust_name, n, &mut carried, comments, &key);
                }
            }
        }
    };
    apply("request", &mut spec.request, comments);
    apply("response", &mut spec.response, comments);
    for def in &mut spec.structs {
        let owner = def.name.value.clone();
        apply(&owner, &mut def.fields, comments);
    }
    carried
}

/// Sets a carried name and drops the TODO lines it answers. A carried name that is the very
/// placeholder import chose again answers nothing (an earlier import wrote it and no one has
/// looked yet): its TODO stays. Other comment lines (facts about the doc) stay too.
fn set(
    slot: &mut Option<crate::spec::Located<String>>,
    name: &str,
    carried: &mut usize,
    comments: &mut Comments,
    key: &str,
) {
    *carried += 1;
    let placeholder = slot.as_ref().is_some_and(|s| s.value == name);
    *slot = Some(crate::spec::Located {
        value: name.to_owned(),
        span: crate::diag::Span::default(),
    });
    if placeholder {
        return;
    }
    if let Some(lines) = comments.get_mut(key) {
        lines.retain(|l| !l.starts_with("TODO"));
        if lines.is_empty() {
            comments.remove(key);
        }
    }
}
