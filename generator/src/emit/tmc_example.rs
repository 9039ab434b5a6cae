//! `examples/tmc.rs` of the generated crate (with message specs): a command-line TMC
//! consumer printing each message as one JSON line, its content typed by `messages`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::settings::CrateSettings;

pub fn tmc_rs(settings: &CrateSettings) -> TokenStream {
    let lib = format_ident!("{}", settings.lib_name());
    let doc = super::docs::inner(&format!(
        "A TMC consumer: `cargo run -p {} --example tmc -- [--group NAME] [--max N]`.\n\n\
         Reads `TOP_APP_KEY`, `TOP_APP_SECRET` and `TOP_TMC_URL` (default: production), prints \
         every message it handles as one JSON line (`id`, `topic`, `pub_time`, `user_nick`, \
         and `content`: typed when the topic has a message spec, else the text as received; \
         content that does not fit its spec is printed as received, with `content_error`), \
         and confirms it. With `--max N` it stops once N distinct message ids were handled, \
         and exits 0 when their confirms were sent.",
        settings.name
    ));
    let usage = format!(
        "usage: cargo run -p {} --example tmc -- [--group NAME] [--max N]\n\
         environment: TOP_APP_KEY, TOP_APP_SECRET, TOP_TMC_URL (default: production)",
        settings.name
    );
    quote! {
        #doc
        #![forbid(unsafe_code)]

        use std::collections::HashSet;
        use std::process::ExitCode;
        use std::sync::{Arc, Mutex};

        use #lib::messages::TmcMessage;
        use #lib::top_runtime::tmc::{Message, PRODUCTION_URL, TmcClient};

        const USAGE: &str = #usage;

        struct Options {
            group: Option<String>,
            max: Option<usize>,
        }

        fn options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
            let mut options = Options { group: None, max: None };
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--group" => options.group = Some(args.next().ok_or("--group needs a NAME")?),
                    "--max" => {
                        let n = args.next().ok_or("--max needs a number")?;
                        let n = n.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("--max: `{n}` is not a positive number"))?;
                        options.max = Some(n);
                    }
                    "-h" | "--help" => return Err(String::new()),
                    other => return Err(format!("unknown argument `{other}`")),
                }
            }
            Ok(options)
        }

        /// The JSON line of one message; content that does not fit its spec goes out as
        /// received, with the error (its path only: no values).
        fn line(message: &Message) -> serde_json::Value {
            let content = message.content.as_deref().unwrap_or_default();
            let (content, error) = match TmcMessage::decode(&message.topic, content) {
                Ok(typed) => match serde_json::to_value(&typed) {
                    Ok(value) => (value, None),
                    Err(e) => (serde_json::Value::from(content), Some(e.to_string())),
                },
                Err(e) => (serde_json::Value::from(content), Some(e.to_string())),
            };
            let mut line = serde_json::json!({
                "id": message.id,
                "topic": message.topic,
                "pub_time": message.pub_time,
                "user_nick": message.user_nick,
                "content": content,
            });
            if let (Some(error), Some(object)) = (error, line.as_object_mut()) {
                object.insert("content_error".into(), error.into());
            }
            line
        }

        fn env(name: &str) -> Result<String, String> {
            std::env::var(name).map_err(|_| format!("{name} is not set"))
        }

        #[tokio::main(flavor = "current_thread")]
        async fn main() -> ExitCode {
            let options = match options(std::env::args().skip(1)) {
                Ok(options) => options,
                Err(problem) => {
                    if !problem.is_empty() {
                        eprintln!("error: {problem}");
                    }
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            };
            let (key, secret) = match (env("TOP_APP_KEY"), env("TOP_APP_SECRET")) {
                (Ok(key), Ok(secret)) => (key, secret),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("error: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            let url = std::env::var("TOP_TMC_URL").unwrap_or_else(|_| PRODUCTION_URL.to_owned());
            let mut builder = TmcClient::builder(key, secret).url(url);
            if let Some(group) = &options.group {
                builder = builder.group(group.clone());
            }
            if options.max.is_some() {
                // One handler at a time: the N-th distinct id is the last one handled.
                builder = builder.concurrency(1);
            }
            let client = match builder.build() {
                Ok(client) => client,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let stop = client.shutdown_handle();
            let seen: Arc<Mutex<HashSet<i64>>> = Arc::default();
            let max = options.max;
            let handled = client
                .run(move |message: Message| {
                    let stop = stop.clone();
                    let seen = Arc::clone(&seen);
                    async move {
                        println!("{}", line(&message));
                        let distinct = {
                            let mut seen = seen.lock().map_err(|_| "the id set is poisoned")?;
                            seen.insert(message.id);
                            seen.len()
                        };
                        if max.is_some_and(|max| distinct >= max) {
                            // Graceful: this handler's Ok is confirmed before `run` returns.
                            stop.shutdown();
                        }
                        Ok::<(), &'static str>(())
                    }
                })
                .await;
            match handled {
                Ok(summary) if summary.unsent_confirms == 0 => ExitCode::SUCCESS,
                Ok(summary) => {
                    eprintln!("error: {} confirm(s) could not be sent; TMC delivers those messages again", summary.unsent_confirms);
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
