//! The engine of the generated `call` example: `call <method> <request.json>` reads a request
//! written with the documented wire names, validates it, sends it (or prints it with
//! `--dry-run`), and prints the typed response as JSON or the typed error.
//!
//! The generated example only maps method names to request types; everything else is here,
//! so that a new spec makes a new method callable with no hand edits.

use std::io::Read;
use std::process::ExitCode;

use serde::Serialize;

use crate::api::ApiRequest;
use crate::client::{CallError, Gateway, TopClient};
use crate::prepare::{Format, HttpRequest, Secret};
use crate::sign::SignMethod;

const USAGE: &str =
    "usage: call <method> <request.json | -> [--dry-run] [--timestamp 'yyyy-MM-dd HH:mm:ss'] \
[--sign-method md5|hmac|hmac-sha256] [--format json|xml] [--simplify] [--reveal-session]

Environment: TOP_APP_KEY, TOP_APP_SECRET, TOP_SESSION (APIs that need a session),
TOP_TARGET_APP_KEY (Qimen APIs), TOP_GATEWAY (top, top-http, overseas, sandbox, qimen,
qimen-test, or a URL; default: the API's production gateway).";

/// Parsed command line and environment of one `call` run.
#[derive(Debug)]
pub struct Invocation {
    method: String,
    request_path: String,
    dry_run: bool,
    timestamp: Option<String>,
    sign_method: SignMethod,
    format: Format,
    simplify: bool,
    reveal_session: bool,
    env: Env,
}

/// The credentials and gateway from the environment. Secrets stay wrapped.
#[derive(Debug, Default)]
struct Env {
    app_key: Option<String>,
    app_secret: Option<Secret>,
    session: Option<Secret>,
    target_app_key: Option<String>,
    gateway: Option<String>,
}

impl Env {
    fn from_process() -> Self {
        Env::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        Env {
            app_key: var("TOP_APP_KEY"),
            app_secret: var("TOP_APP_SECRET").map(Secret::new),
            session: var("TOP_SESSION").map(Secret::new),
            target_app_key: var("TOP_TARGET_APP_KEY"),
            gateway: var("TOP_GATEWAY"),
        }
    }
}

fn parse(args: Vec<String>, env: Env) -> Result<Invocation, String> {
    let mut positional = Vec::new();
    let mut inv = Invocation {
        method: String::new(),
        request_path: String::new(),
        dry_run: false,
        timestamp: None,
        sign_method: SignMethod::default(),
        format: Format::default(),
        simplify: false,
        reveal_session: false,
        env,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--dry-run" => inv.dry_run = true,
            "--simplify" => inv.simplify = true,
            "--reveal-session" => inv.reveal_session = true,
            "--timestamp" => {
                let ts = value("--timestamp")?;
                ts.parse::<crate::DateTime>().map_err(|e| e.to_string())?;
                inv.timestamp = Some(ts);
            }
            "--sign-method" => {
                inv.sign_method = value("--sign-method")?
                    .parse()
                    .map_err(|e| format!("{e}"))?
            }
            "--format" => inv.format = value("--format")?.parse().map_err(|e| format!("{e}"))?,
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => positional.push(arg),
        }
    }
    match <[String; 2]>::try_from(positional) {
        Ok([method, path]) => {
            inv.method = method;
            inv.request_path = path;
            Ok(inv)
        }
        Err(_) => Err("expected a method and a request file".into()),
    }
}

impl Invocation {
    /// Parses `call`'s arguments (without the program name) with `env` standing for the
    /// environment (`TOP_APP_KEY`, ...), for running the engine in-process (tests, embedding).
    /// `Err` holds the usage problem; an empty message means `--help`.
    pub fn parse_args(
        args: Vec<String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Invocation, String> {
        parse(args, Env::from_lookup(env))
    }

    /// The method named on the command line.
    pub fn method(&self) -> &str {
        &self.method
    }
}

/// Runs `call` with the process's arguments and environment. `dispatch` runs the invocation
/// with the request type of a method, or returns `None` for an unknown method.
pub fn main(dispatch: impl FnOnce(&str, &Invocation) -> Option<ExitCode>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let invocation = match parse(args, Env::from_process()) {
        Ok(inv) => inv,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match dispatch(&invocation.method.clone(), &invocation) {
        Some(code) => code,
        None => {
            eprintln!(
                "error: unknown method `{}`: no spec generates it",
                invocation.method
            );
            ExitCode::from(2)
        }
    }
}

/// Prints an HTTP request as it goes on the wire; the parts of a multipart body are shown
/// one by one, file content summarised unless it is text.
pub fn render_http(request: &HttpRequest, reveal_session: bool) -> String {
    let url = if reveal_session {
        request.url.clone()
    } else {
        request.redacted_url()
    };
    let mut out = format!("{} {url}\n", request.method);
    for (name, value) in request.headers() {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    out.push_str(&request.readable_body());
    out.push('\n');
    out
}

impl Invocation {
    /// Runs the call with request type `R`.
    pub fn run<R>(&self) -> ExitCode
    where
        R: ApiRequest + crate::strict::Item,
        R::Response: Serialize,
    {
        match self.try_run::<R>() {
            Ok(output) => {
                print!("{output}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        }
    }

    fn read_request(&self) -> Result<String, String> {
        let mut text = String::new();
        if self.request_path == "-" {
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("error: cannot read the request from stdin: {e}"))?;
        } else {
            text = std::fs::read_to_string(&self.request_path)
                .map_err(|e| format!("error: cannot read {}: {e}", self.request_path))?;
        }
        Ok(text)
    }

    /// Runs the call with request type `R` and returns what [`run`](Self::run) prints:
    /// `Ok` the output (the typed response as JSON, or the request with `--dry-run`), `Err`
    /// the error message.
    pub fn output<R>(&self) -> Result<String, String>
    where
        R: ApiRequest + crate::strict::Item,
        R::Response: Serialize,
    {
        self.try_run::<R>()
    }

    fn try_run<R>(&self) -> Result<String, String>
    where
        R: ApiRequest + crate::strict::Item,
        R::Response: Serialize,
    {
        let text = self.read_request()?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("error: {} is not JSON: {e}", self.request_path))?;
        let request: R = crate::strict::read(json)
            .map_err(|e| describe_json_error(&self.request_path, R::METHOD, &e))?;
        let gateway = match &self.env.gateway {
            Some(g) => g.parse::<Gateway>()?,
            None => Gateway::for_family(R::CLIENT),
        };
        let app_key = self.env.app_key.clone().unwrap_or_default();
        let app_secret = self
            .env
            .app_secret
            .clone()
            .unwrap_or_else(|| Secret::new(""));
        if !self.dry_run && (app_key.is_empty() || app_secret.expose().is_empty()) {
            return Err("error: set TOP_APP_KEY and TOP_APP_SECRET".into());
        }
        let mut builder = TopClient::builder(app_key, app_secret)
            .gateway(gateway)
            .sign_method(self.sign_method)
            .format(self.format)
            .simplify(self.simplify);
        if let Some(key) = &self.env.target_app_key {
            builder = builder.target_app_key(key);
        }
        let client = builder.build().map_err(|e| format!("error: {e}"))?;
        let session = self.env.session.clone();
        if self.dry_run {
            let http = client
                .prepare(&request, session, self.timestamp.clone())
                .map_err(|e| describe(&e))?;
            return Ok(render_http(&http, self.reveal_session));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("error: cannot start the async runtime: {e}"))?;
        let response = runtime
            .block_on(client.execute_with_optional_session(&request, session))
            .map_err(|e| describe(&e))?;
        let mut json =
            serde_json::to_string_pretty(&response).map_err(|e| format!("error: {e}"))?;
        json.push('\n');
        Ok(json)
    }
}

/// Why the request file does not fit the request type. A required parameter left out is
/// worded like the SDK's client-side check (code 40), with its full wire-name path.
fn describe_json_error(file: &str, method: &str, error: &crate::strict::Error) -> String {
    if crate::strict::is_missing(error) {
        let path = error.path();
        format!(
            "error: the request breaks documented rules (client-side code 40); nothing was sent\n  {path}: Missing required arguments:{path}\n"
        )
    } else if error.path().is_empty() {
        format!("error: {file} does not fit `{method}`: {}", error.message())
    } else {
        format!("error: {file} does not fit `{method}`: {error}")
    }
}

/// A call error for a person: the SDK's code and every violation on its own line.
fn describe(error: &CallError) -> String {
    match error {
        CallError::Invalid { code, errors } => {
            let mut out = format!(
                "error: the request breaks documented rules (client-side code {code}); nothing was sent\n"
            );
            for v in errors.violations() {
                out.push_str(&format!("  {}: {v}\n", v.path));
            }
            out
        }
        CallError::Api(e) => format!("error: TOP answered with an error: {e}"),
        other => format!("error: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_options_and_positionals() {
        let inv = parse(
            args(&[
                "a.b.c",
                "req.json",
                "--dry-run",
                "--sign-method",
                "md5",
                "--format",
                "xml",
                "--timestamp",
                "2016-01-01 12:00:00",
            ]),
            Env::default(),
        )
        .unwrap();
        assert_eq!(inv.method, "a.b.c");
        assert!(inv.dry_run);
        assert_eq!(inv.sign_method, SignMethod::Md5);
        assert_eq!(inv.format, Format::Xml);
        assert_eq!(inv.timestamp.as_deref(), Some("2016-01-01 12:00:00"));
    }

    #[test]
    fn rejects_bad_usage() {
        for bad in [
            &["a.b.c"][..],
            &["a.b.c", "r.json", "--bogus"],
            &["a.b.c", "r.json", "--timestamp", "2016-1-1"],
            &["a.b.c", "r.json", "--sign-method", "sha1"],
            &["a.b.c", "r.json", "--format"],
        ] {
            assert!(parse(args(bad), Env::default()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_missing_required_parameter_is_reported_like_the_sdk() {
        #[derive(Debug, serde::Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            biz_no: String,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Req {
            #[allow(dead_code)]
            bill: Inner,
        }
        let err = crate::strict::via_serde::<Req>(serde_json::json!({"bill": {}})).unwrap_err();
        let text = describe_json_error("r.json", "a.b", &err);
        assert!(text.contains("code 40"), "{text}");
        assert!(
            text.contains("bill.biz_no: Missing required arguments:bill.biz_no"),
            "{text}"
        );
        let err = crate::strict::via_serde::<Req>(serde_json::json!({"bill": {"biz_no": 1}}))
            .unwrap_err();
        let text = describe_json_error("r.json", "a.b", &err);
        assert!(
            text.contains("does not fit `a.b`: at `bill.biz_no`"),
            "{text}"
        );
    }

    #[test]
    fn env_secrets_do_not_show_in_debug() {
        let env = Env {
            app_secret: Some(Secret::new("s3cr3t-value")),
            session: Some(Secret::new("sess-value")),
            ..Env::default()
        };
        let inv = parse(args(&["a.b.c", "r.json"]), env).unwrap();
        let debug = format!("{inv:?}");
        assert!(
            !debug.contains("s3cr3t-value") && !debug.contains("sess-value"),
            "{debug}"
        );
    }
}
