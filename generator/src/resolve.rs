//! Semantic checks and resolution: the spec model → the IR, or every problem found, each
//! located at the offending value.

use std::collections::{BTreeMap, HashMap};

use top_runtime::DateTime;
use top_runtime::validate::utf16_len;

use crate::diag::{Diagnostic, Span};
use crate::ir::{self, Api, Enum, Limits, Role, Scalar, Struct, Type, Variant};
use crate::names;
use crate::spec::{self, Located, Spec};

/// Resolves a parsed spec read from `spec_path` (e.g. `specs/x.yaml`).
///
/// `partial` says the spec had structural errors and lost parts of itself on the way here;
/// checks that a lost part could make wrong (an unused struct) are then skipped.
pub fn resolve(spec: &Spec, spec_path: &str, partial: bool) -> Result<Api, Vec<Diagnostic>> {
    let mut r = Resolver {
        spec,
        partial,
        errors: Vec::new(),
        structs: BTreeMap::new(),
        roles: HashMap::new(),
        type_names: HashMap::new(),
        enums: Vec::new(),
    };
    let api = r.api(spec_path);
    if r.errors.is_empty() {
        Ok(api)
    } else {
        r.errors.sort_by_key(|d| (d.span.start, d.message.clone()));
        Err(r.errors)
    }
}

/// Resolves a parsed message spec read from `spec_path` (`specs/messages/<topic>.yaml`): its
/// content goes through the same checks as response fields.
pub fn resolve_message(
    message: &spec::MessageSpec,
    spec_path: &str,
    partial: bool,
) -> Result<ir::Message, Vec<Diagnostic>> {
    // The content is checked as the response of an API with no request: one set of rules
    // for field types, coded values, examples and structs.
    let as_api = Spec {
        method: message.topic.clone(),
        title: message.title.clone(),
        description: message.description.clone(),
        category: message.category.clone(),
        client: Located {
            value: spec::Client::Top,
            span: message.topic.span,
        },
        session: Located {
            value: spec::Session::None,
            span: message.topic.span,
        },
        request: Vec::new(),
        response: message.content.clone(),
        structs: message.structs.clone(),
        examples: None,
    };
    let mut r = Resolver {
        spec: &as_api,
        partial,
        errors: Vec::new(),
        structs: BTreeMap::new(),
        roles: HashMap::new(),
        type_names: HashMap::new(),
        enums: Vec::new(),
    };
    let topic = &message.topic;
    if !names::is_valid_topic(&topic.value) {
        r.error(
            topic.span,
            format!("`{}` is not a valid TMC topic", topic.value),
            "expected ASCII letters, digits and `_`, starting with a lowercase letter, e.g. `taobao_trade_TradeBuyerPay`",
        );
    }
    let file_name = spec_path.rsplit(['/', '\\']).next().unwrap_or(spec_path);
    let expected_file = format!("{}.yaml", topic.value);
    if file_name != expected_file {
        r.error(
            topic.span,
            format!(
                "the file is named `{file_name}` but its topic is `{}`",
                topic.value
            ),
            format!("rename the file to `{expected_file}` or fix the topic"),
        );
    }
    if let Some(example) = &message.example
        && let Err(e) = serde_json::from_str::<serde_json::Value>(&example.value)
    {
        r.error(
            example.span,
            format!("the example is not JSON: {e}"),
            "expected the documented content, verbatim",
        );
    }
    let content_name = names::topic_type(&topic.value);
    r.type_names.insert(content_name.clone(), topic.span);
    let (content, structs) = r.response_side(content_name, message.title.as_ref());
    if !r.errors.is_empty() {
        r.errors.sort_by_key(|d| (d.span.start, d.message.clone()));
        return Err(r.errors);
    }
    Ok(ir::Message {
        topic: topic.value.clone(),
        spec_path: spec_path.to_owned(),
        module: names::topic_module(&topic.value),
        source_hash: String::new(),
        title: message.title.as_ref().map(|t| t.value.clone()),
        description: message.description.as_ref().map(|t| t.value.clone()),
        category: message.category.as_ref().map(|t| t.value.clone()),
        source: message.source.as_ref().map(|t| t.value.clone()),
        content,
        structs,
        enums: std::mem::take(&mut r.enums),
        example: message.example.as_ref().map(|e| e.value.clone()),
    })
}

pub use crate::names::is_valid_method;

/// The built-in types a spec's `type:` can name (see `specs/README.md`). A struct cannot take
/// one of these names: `type: Map` must mean one thing.
const BUILTINS: &[(&str, Scalar)] = &[
    ("String", Scalar::String),
    ("Number", Scalar::Number),
    ("Boolean", Scalar::Boolean),
    ("Date", Scalar::Date),
    ("Price", Scalar::Decimal),
    ("BigDecimal", Scalar::Decimal),
    ("Json", Scalar::Json),
    ("Map", Scalar::JsonMap),
    ("FieldList", Scalar::FieldList),
    ("File", Scalar::File),
];

/// The spelling of a built-in type name, for messages.
pub fn builtin_type_names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|(name, _)| *name)
}

struct Resolver<'s> {
    spec: &'s Spec,
    partial: bool,
    errors: Vec<Diagnostic>,
    /// Struct definitions by spec name, with their index in `spec.structs`.
    structs: BTreeMap<&'s str, usize>,
    /// Which side(s) each struct is used on, and where it was first used from there.
    roles: HashMap<usize, (Role, Span)>,
    /// Every Rust type name taken in the module, with where it came from.
    type_names: HashMap<String, Span>,
    enums: Vec<Enum>,
}

/// A parsed `type:` value.
enum TypeRef<'s> {
    Scalar(Scalar),
    Struct(&'s str, usize),
}

impl<'s> Resolver<'s> {
    fn error(&mut self, span: Span, message: impl Into<String>, label: impl Into<String>) {
        self.errors
            .push(Diagnostic::error(span, message).with_label(label));
    }

    fn api(&mut self, spec_path: &str) -> Api {
        let spec = self.spec;
        let method = &spec.method.value;
        if !is_valid_method(method) {
            self.error(
                spec.method.span,
                format!("`{method}` is not a valid TOP method name"),
                "expected dotted segments of letters, digits, `_` and `-`, starting with a lowercase letter, e.g. `taobao.miniapp.userInfo.get`",
            );
        }
        let file_name = spec_path.rsplit(['/', '\\']).next().unwrap_or(spec_path);
        let expected_file = format!("{method}.yaml");
        if file_name != expected_file {
            self.error(
                spec.method.span,
                format!("the file is named `{file_name}` but its method is `{method}`"),
                format!("rename the file to `{expected_file}` or fix the method"),
            );
        }
        let prefix = names::api_type_prefix(method);
        let request_name = format!("{prefix}Request");
        let response_name = format!("{prefix}Response");
        // The builders of the two API types are emitted too.
        for taken in [&request_name, &response_name] {
            self.type_names.insert(taken.clone(), spec.method.span);
            self.type_names
                .insert(format!("{taken}Builder"), spec.method.span);
        }

        self.index_structs();
        let struct_names: Vec<String> = spec
            .structs
            .iter()
            .map(|s| self.struct_rust_name(s))
            .collect();
        self.mark_roles(&spec.request, Role::Request);
        self.mark_roles(&spec.response, Role::Response);
        for (i, def) in spec.structs.iter().enumerate() {
            if !self.partial
                && !self.roles.contains_key(&i)
                && self.structs.get(def.name.value.as_str()) == Some(&i)
            {
                self.error(
                    def.name.span,
                    format!(
                        "struct `{}` is defined but no field uses it",
                        def.name.value
                    ),
                    "remove it, or use it as a field's type",
                );
            }
        }

        let request = Struct {
            spec_name: request_name.clone(),
            rust_name: request_name,
            description: spec.title.as_ref().map(|t| t.value.clone()),
            role: Role::Request,
            fields: self.fields(&spec.request, Role::Request, false, &struct_names),
        };
        let response = Struct {
            spec_name: response_name.clone(),
            rust_name: response_name,
            description: spec.title.as_ref().map(|t| t.value.clone()),
            role: Role::Response,
            fields: self.fields(&spec.response, Role::Response, false, &struct_names),
        };
        let mut structs = Vec::new();
        for (i, def) in spec.structs.iter().enumerate() {
            let Some(&(role, _)) = self.roles.get(&i) else {
                continue;
            };
            if self.structs.get(def.name.value.as_str()) != Some(&i) {
                continue;
            }
            structs.push(Struct {
                spec_name: def.name.value.clone(),
                rust_name: struct_names[i].clone(),
                description: def.description.as_ref().map(|d| d.value.clone()),
                role,
                fields: self.fields(&def.fields, role, true, &struct_names),
            });
        }
        self.check_cycles(&struct_names);
        let examples = spec.examples.clone().unwrap_or_default();
        let example = |p: Option<spec::Payload>| {
            let p = p.unwrap_or_default();
            ir::Example {
                xml: p.xml.map(|l| l.value),
                json: p.json.map(|l| l.value),
            }
        };
        Api {
            method: method.clone(),
            spec_path: spec_path.to_owned(),
            module: names::module_name(method),
            source_hash: String::new(),
            title: spec.title.as_ref().map(|t| t.value.clone()),
            description: spec.description.as_ref().map(|t| t.value.clone()),
            category: spec.category.as_ref().map(|t| t.value.clone()),
            client: spec.client.value,
            session: spec.session.value,
            request,
            response,
            structs,
            enums: std::mem::take(&mut self.enums),
            response_example: example(examples.response),
            error_example: example(examples.error),
        }
    }

    /// The spec's response fields as a struct named `name`, with the structs they reach:
    /// what a message's content is.
    fn response_side(
        &mut self,
        name: String,
        title: Option<&Located<String>>,
    ) -> (Struct, Vec<Struct>) {
        let spec = self.spec;
        self.index_structs();
        let struct_names: Vec<String> = spec
            .structs
            .iter()
            .map(|s| self.struct_rust_name(s))
            .collect();
        self.mark_roles(&spec.response, Role::Response);
        for (i, def) in spec.structs.iter().enumerate() {
            if !self.partial
                && !self.roles.contains_key(&i)
                && self.structs.get(def.name.value.as_str()) == Some(&i)
            {
                self.error(
                    def.name.span,
                    format!(
                        "struct `{}` is defined but no field uses it",
                        def.name.value
                    ),
                    "remove it, or use it as a field's type",
                );
            }
        }
        let content = Struct {
            spec_name: name.clone(),
            rust_name: name,
            description: title.map(|t| t.value.clone()),
            role: Role::Response,
            fields: self.fields(&spec.response, Role::Response, false, &struct_names),
        };
        let mut structs = Vec::new();
        for (i, def) in spec.structs.iter().enumerate() {
            if !self.roles.contains_key(&i) || self.structs.get(def.name.value.as_str()) != Some(&i)
            {
                continue;
            }
            structs.push(Struct {
                spec_name: def.name.value.clone(),
                rust_name: struct_names[i].clone(),
                description: def.description.as_ref().map(|d| d.value.clone()),
                role: Role::Response,
                fields: self.fields(&def.fields, Role::Response, true, &struct_names),
            });
        }
        self.check_cycles(&struct_names);
        (content, structs)
    }

    fn index_structs(&mut self) {
        for (i, def) in self.spec.structs.iter().enumerate() {
            let name = def.name.value.as_str();
            if BUILTINS.iter().any(|(builtin, _)| *builtin == name) {
                self.error(
                    def.name.span,
                    format!("`{name}` is a built-in type and cannot name a struct"),
                    format!("name the struct differently, e.g. `{name}Struct`, and use that name as the fields' type"),
                );
                continue;
            }
            if let Some(&first) = self.structs.get(name) {
                let line = self.spec.structs[first].name.span.line;
                self.error(
                    def.name.span,
                    format!("struct `{name}` is defined twice"),
                    format!("first defined on line {line}"),
                );
                continue;
            }
            self.structs.insert(name, i);
        }
    }

    fn struct_rust_name(&mut self, def: &spec::StructDef) -> String {
        let name = self.rust_name_or(def.rust_name.as_ref(), || names::type_name(&def.name.value));
        let span = def.rust_name.as_ref().map_or(def.name.span, |n| n.span);
        if self
            .structs
            .get(def.name.value.as_str())
            .map(|&i| &self.spec.structs[i].name.span)
            == Some(&def.name.span)
        {
            self.claim_type_name(&name, span);
        }
        name
    }

    /// Records a Rust type name, reporting a clash with one taken before. Generated code names
    /// std, serde and runtime items by full path, so no name is reserved.
    fn claim_type_name(&mut self, name: &str, span: Span) {
        if let Some(first) = self.type_names.get(name).copied() {
            self.error(
                span,
                format!("the Rust type name `{name}` is already taken"),
                format!(
                    "also used on line {}; give a different `rust_name` or `enum_name`",
                    first.line
                ),
            );
        } else {
            self.type_names.insert(name.to_owned(), span);
        }
    }

    /// A user-given Rust name (checked to be an identifier) or the derived default.
    fn rust_name_or(
        &mut self,
        given: Option<&Located<String>>,
        default: impl FnOnce() -> String,
    ) -> String {
        match given {
            Some(name) => {
                if !names::is_identifier(&name.value) {
                    self.error(
                        name.span,
                        format!("`{}` is not a valid Rust identifier", name.value),
                        "expected letters, digits and `_`, not starting with a digit, not a keyword",
                    );
                }
                name.value.clone()
            }
            None => default(),
        }
    }

    fn parse_type(&mut self, ty: &Located<String>) -> Option<(TypeRef<'s>, bool)> {
        let text = ty.value.trim();
        let (base, list) = match text.strip_suffix("[]") {
            Some(base) => (base.trim_end(), true),
            None => (text, false),
        };
        if let Some((_, scalar)) = BUILTINS.iter().find(|(n, _)| *n == base) {
            if list && *scalar == Scalar::FieldList {
                self.error(
                    ty.span,
                    "`FieldList[]` is not a type: a `FieldList` is already a list of names",
                    "use `FieldList`",
                );
                return None;
            }
            return Some((TypeRef::Scalar(*scalar), list));
        }
        if let Some((name, &i)) = self.structs.get_key_value(base) {
            return Some((TypeRef::Struct(name, i), list));
        }
        let mut known: Vec<&str> = builtin_type_names().collect();
        known.extend(self.structs.keys());
        let expected = format!(
            "expected one of: {}; or a list of one, `Type[]`",
            known.join(", ")
        );
        let hint = match crate::parse::closest(base, &known) {
            Some(close) => format!("did you mean `{close}`? {expected}"),
            None => expected,
        };
        self.error(ty.span, format!("unknown type `{}`", ty.value), hint);
        None
    }

    /// Marks every struct reachable from `fields` with `role`; a struct on both sides is an
    /// error, since requests and responses are generated differently.
    fn mark_roles(&mut self, fields: &'s [spec::Field], role: Role) {
        for field in fields {
            let Some((TypeRef::Struct(name, i), _)) = self.parse_type_quiet(&field.ty) else {
                continue;
            };
            match self.roles.get(&i).copied() {
                Some((r, _)) if r == role => continue,
                Some((_, first)) => {
                    self.error(
                        field.ty.span,
                        format!("struct `{name}` is used in both the request and the response"),
                        format!(
                            "first used on line {}; define a separate struct for each side",
                            first.line
                        ),
                    );
                    continue;
                }
                None => {
                    self.roles.insert(i, (role, field.ty.span));
                }
            }
            let nested = &self.spec.structs[i].fields;
            self.mark_roles(nested, role);
        }
    }

    fn parse_type_quiet(&mut self, ty: &Located<String>) -> Option<(TypeRef<'s>, bool)> {
        let before = self.errors.len();
        let parsed = self.parse_type(ty);
        self.errors.truncate(before);
        parsed
    }

    /// `nested`: the fields of a struct, not the request's or response's own parameters.
    fn fields(
        &mut self,
        fields: &'s [spec::Field],
        role: Role,
        nested: bool,
        struct_names: &[String],
    ) -> Vec<ir::Field> {
        let mut wire_seen: HashMap<&str, Span> = HashMap::new();
        let mut rust_seen: HashMap<String, (&str, Span)> = HashMap::new();
        let mut out = Vec::with_capacity(fields.len());
        for field in fields {
            let wire = field.name.value.as_str();
            if wire.trim().is_empty() || wire.trim() != wire {
                self.error(
                    field.name.span,
                    format!("`{wire}` is not a wire name"),
                    "expected the parameter name as documented, without surrounding spaces",
                );
                continue;
            }
            if let Some(first) = wire_seen.get(wire) {
                let line = first.line;
                self.error(
                    field.name.span,
                    format!("two fields are named `{wire}`"),
                    format!("first on line {line}"),
                );
                continue;
            }
            wire_seen.insert(wire, field.name.span);
            let rust_name = self.rust_name_or(field.rust_name.as_ref(), || names::field_name(wire));
            let rust_span = field.rust_name.as_ref().map_or(field.name.span, |n| n.span);
            if let Some((other, _)) = rust_seen.get(&rust_name) {
                self.error(
                    rust_span,
                    format!("`{wire}` and `{other}` both become the Rust field `{rust_name}`"),
                    "give one of them a `rust_name`",
                );
            } else {
                rust_seen.insert(rust_name.clone(), (wire, rust_span));
            }
            if let Some(f) = self.field(field, rust_name, role, nested, struct_names) {
                out.push(f);
            }
        }
        out
    }

    fn field(
        &mut self,
        field: &'s spec::Field,
        rust_name: String,
        role: Role,
        nested: bool,
        struct_names: &[String],
    ) -> Option<ir::Field> {
        let (base, list) = self.parse_type(&field.ty)?;
        let required = field.required.as_ref().is_some_and(|r| r.value);
        if let (Role::Response, Some(r)) = (role, &field.required)
            && r.value
        {
            self.error(
                r.span,
                "`required` applies to request fields only",
                "remove it",
            );
        }
        let limits = Limits {
            max_length: field.max_length.as_ref().map(|l| l.value),
            max_items: field.max_items.as_ref().map(|l| l.value),
            min_value: field.min_value.as_ref().map(|l| l.value),
            max_value: field.max_value.as_ref().map(|l| l.value),
        };
        let scalar = match base {
            TypeRef::Scalar(s) => Some(s),
            TypeRef::Struct(..) => None,
        };
        self.check_limits(field, scalar, list);

        if matches!(base, TypeRef::Scalar(Scalar::File)) && role == Role::Request && nested {
            self.error(
                field.ty.span,
                "a `File` can only be a top-level request parameter",
                "files are sent as multipart parts, a struct as JSON text: move it to `request`, or use `String` for base64 text",
            );
        }
        let mut ty = match base {
            // A response carries no upload: whatever the gateway sends for a doc `byte`
            // (base64 text, an array) is kept as JSON rather than guessed at.
            TypeRef::Scalar(Scalar::File) if role == Role::Response => Type::Scalar(Scalar::Json),
            TypeRef::Scalar(s) => Type::Scalar(s),
            TypeRef::Struct(_, i) => Type::Struct(struct_names[i].clone()),
        };
        if let Some(values) = &field.values {
            match scalar {
                Some(base @ (Scalar::String | Scalar::Number)) => {
                    if let Some(name) = self.coded_enum(field, &rust_name, base, values) {
                        ty = Type::Enum(name, base);
                    }
                }
                _ => self.error(
                    values.span,
                    format!(
                        "coded `values` need a String or Number field; `{}` is `{}`",
                        field.name.value, field.ty.value
                    ),
                    "remove `values`",
                ),
            }
        } else if let Some(enum_name) = &field.enum_name {
            self.error(
                enum_name.span,
                "`enum_name` without `values`",
                "add the coded `values`, or remove this",
            );
        }
        if let Some(example) = &field.example {
            self.check_example(field, example, scalar, list, &limits);
        }
        if list {
            ty = Type::List(Box::new(ty));
        }
        Some(ir::Field {
            wire_name: field.name.value.clone(),
            rust_name,
            ty,
            required,
            example: field.example.as_ref().map(|e| e.value.clone()),
            description: field.description.as_ref().map(|d| d.value.clone()),
            limits,
        })
    }

    fn check_limits(&mut self, field: &spec::Field, scalar: Option<Scalar>, list: bool) {
        let ty = &field.ty.value;
        // A File's max length is its size limit in bytes (TOP-PROTOCOL, file uploads).
        if let Some(l) = &field.max_length
            && (list || !matches!(scalar, Some(Scalar::String | Scalar::Number | Scalar::File)))
        {
            self.error(
                l.span,
                format!(
                    "`max_length` applies to String, Number and File fields; this one is `{ty}`"
                ),
                "remove it, or use `max_items` for a list",
            );
        }
        // The SDK's checkMaxListSize also counts the comma-separated values of a String.
        if let Some(l) = &field.max_items
            && !list
            && !matches!(scalar, Some(Scalar::String | Scalar::FieldList))
        {
            self.error(
                l.span,
                format!("`max_items` applies to lists, FieldList and String (comma-separated values); this field is `{ty}`"),
                "remove it, or make the type a list: `Type[]`",
            );
        }
        for bound in [&field.min_value, &field.max_value].into_iter().flatten() {
            if list || scalar != Some(Scalar::Number) {
                self.error(
                    bound.span,
                    format!("value bounds apply to Number fields; this one is `{ty}`"),
                    "remove it",
                );
            }
        }
        if let (Some(min), Some(max)) = (&field.min_value, &field.max_value)
            && min.value > max.value
        {
            self.error(
                max.span,
                format!(
                    "`max_value` {} is below `min_value` {}",
                    max.value, min.value
                ),
                "swap or fix the bounds",
            );
        }
    }

    fn coded_enum(
        &mut self,
        field: &spec::Field,
        rust_field: &str,
        base: Scalar,
        values: &Located<Vec<spec::CodedValue>>,
    ) -> Option<String> {
        if values.value.is_empty() {
            self.error(
                values.span,
                "`values` is empty",
                "list the documented values, or remove `values`",
            );
            return None;
        }
        let name = self.rust_name_or(field.enum_name.as_ref(), || {
            names::type_name(names::unraw(rust_field))
        });
        let span = field.enum_name.as_ref().map_or(field.name.span, |n| n.span);
        let before = self.errors.len();
        self.claim_type_name(&name, span);
        let mut variants: Vec<Variant> = Vec::new();
        let mut codes: HashMap<&str, Span> = HashMap::new();
        for value in &values.value {
            let code = value.code.value.as_str();
            if let Some(first) = codes.get(code) {
                let line = first.line;
                self.error(
                    value.code.span,
                    format!("the code `{code}` is listed twice"),
                    format!("first on line {line}"),
                );
                continue;
            }
            codes.insert(code, value.code.span);
            if base == Scalar::Number && code.parse::<i64>().is_err() {
                self.error(
                    value.code.span,
                    format!("`{code}` is not a number, but the field is a Number"),
                    "expected an integer code",
                );
                continue;
            }
            let variant = match &value.rust_name {
                Some(_) => self.rust_name_or(value.rust_name.as_ref(), String::new),
                None if code.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                    names::type_name(code)
                }
                None => {
                    self.error(
                        value.code.span,
                        format!("the code `{code}` does not make a Rust variant name"),
                        "give it a `rust_name`, e.g. from its description",
                    );
                    continue;
                }
            };
            if variant == "Unknown" || variants.iter().any(|v| v.rust_name == variant) {
                let span = value.rust_name.as_ref().map_or(value.code.span, |n| n.span);
                self.error(
                    span,
                    format!("the variant name `{variant}` is taken"),
                    "give this value a different `rust_name` (`Unknown` is reserved)",
                );
                continue;
            }
            variants.push(Variant {
                code: code.to_owned(),
                rust_name: variant,
                description: value.description.as_ref().map(|d| d.value.clone()),
            });
        }
        if self.errors.len() > before {
            return None;
        }
        self.enums.push(Enum {
            rust_name: name.clone(),
            base,
            description: field.description.as_ref().map(|d| d.value.clone()),
            variants,
        });
        Some(name)
    }

    fn check_example(
        &mut self,
        field: &spec::Field,
        example: &Located<String>,
        scalar: Option<Scalar>,
        list: bool,
        limits: &Limits,
    ) {
        let Some(scalar) = scalar else {
            self.error(
                example.span,
                "a struct-typed field takes no example",
                "give examples on the struct's fields instead",
            );
            return;
        };
        // Whole-value examples: JSON text, and file names, are not split at commas.
        let whole = match scalar {
            Scalar::Json | Scalar::JsonMap => {
                let parsed: Result<serde_json::Value, _> = serde_json::from_str(&example.value);
                let problem = match parsed {
                    Err(e) => Some(format!("the example is not JSON: {e}")),
                    Ok(v) if scalar == Scalar::JsonMap && !list && !v.is_object() => {
                        Some("the example is not a JSON object".to_owned())
                    }
                    Ok(_) => None,
                };
                if let Some(problem) = problem {
                    self.error(
                        example.span,
                        problem,
                        format!("breaks the rules of `{}`", field.name.value),
                    );
                }
                true
            }
            Scalar::File | Scalar::FieldList => true,
            _ => false,
        };
        if whole {
            return;
        }
        let text = example.value.as_str();
        let items: Vec<&str> = if list {
            text.split(',').map(str::trim).collect()
        } else {
            vec![text]
        };
        if let Some(max) = limits.max_items
            && items.len() as u64 > max
        {
            self.error(
                example.span,
                format!(
                    "the example has {} items, more than `max_items` {max}",
                    items.len()
                ),
                "shorten the example",
            );
        }
        let codes: Option<Vec<&str>> = field
            .values
            .as_ref()
            .map(|v| v.value.iter().map(|c| c.code.value.as_str()).collect());
        for item in items {
            let problem = match scalar {
                Scalar::String => limits
                    .max_length
                    .filter(|&max| utf16_len(item) as u64 > max)
                    .map(|max| format!("the example `{item}` is {} UTF-16 units long, more than `max_length` {max}", utf16_len(item))),
                Scalar::Number => match item.parse::<i64>() {
                    Err(_) => Some(format!("the example `{item}` is not a Number (a 64-bit integer)")),
                    Ok(n) => {
                        let digits = n.to_string().len() as u64;
                        if let Some(max) = limits.max_length.filter(|&m| digits > m) {
                            Some(format!("the example `{item}` has {digits} digits, more than `max_length` {max}"))
                        } else if let Some(min) = limits.min_value.filter(|&m| n < m) {
                            Some(format!("the example `{item}` is below `min_value` {min}"))
                        } else {
                            limits
                                .max_value
                                .filter(|&m| n > m)
                                .map(|max| format!("the example `{item}` is above `max_value` {max}"))
                        }
                    }
                },
                Scalar::Boolean => (!matches!(item, "true" | "false"))
                    .then(|| format!("the example `{item}` is not a Boolean (`true` or `false`)")),
                Scalar::Date => item
                    .parse::<DateTime>()
                    .err()
                    .map(|_| format!("the example `{item}` is not a `yyyy-MM-dd HH:mm:ss` date")),
                Scalar::Decimal => (!is_decimal(item))
                    .then(|| format!("the example `{item}` is not a decimal number (`200.07`)")),
                Scalar::Json | Scalar::JsonMap | Scalar::File | Scalar::FieldList => None,
            };
            let problem = problem.or_else(|| {
                codes
                    .as_ref()
                    .filter(|codes| !codes.contains(&item))
                    .map(|codes| {
                        format!(
                            "the example `{item}` is not one of the coded values ({})",
                            codes.join(", ")
                        )
                    })
            });
            if let Some(problem) = problem {
                self.error(
                    example.span,
                    problem,
                    format!("breaks the rules of `{}`", field.name.value),
                );
            }
        }
    }

    /// A struct that contains itself other than through a list has no finite size.
    fn check_cycles(&mut self, struct_names: &[String]) {
        let spec = self.spec;
        for (start, def) in spec.structs.iter().enumerate() {
            if self.structs.get(def.name.value.as_str()) != Some(&start) {
                continue;
            }
            let mut stack = vec![start];
            let mut seen = vec![false; spec.structs.len()];
            while let Some(i) = stack.pop() {
                for field in &spec.structs[i].fields {
                    if let Some((TypeRef::Struct(_, j), false)) = self.parse_type_quiet(&field.ty) {
                        if j == start {
                            self.error(
                                def.name.span,
                                format!(
                                    "struct `{}` contains itself through `{}`",
                                    struct_names[start], field.name.value
                                ),
                                "a struct may contain itself only through a list",
                            );
                            stack.clear();
                            break;
                        }
                        if !std::mem::replace(&mut seen[j], true) {
                            stack.push(j);
                        }
                    }
                }
            }
        }
    }
}

/// `-12`, `200.07`, `0.10`: what TOP sends for a Price or BigDecimal.
pub fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && all_digits(frac)
}
