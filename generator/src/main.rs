#![forbid(unsafe_code)]
//! The `topgen` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use topgen::config::{Config, RuntimeSource};
use topgen::load::{self, LoadError};
use topgen::output::{self, Layout};
use topgen::progress::Progress;

/// How many diffs `check` prints before it only counts.
const DIFFS_SHOWN: usize = 20;

/// Generates a typed Rust SDK crate from YAML specs of Taobao Open Platform (TOP) APIs.
#[derive(Parser)]
#[command(name = "topgen", version, about)]
struct Cli {
    /// The project's settings file; by default the nearest `topgen.toml` in the working
    /// directory or a parent (without one: `specs/`, the crate `top-apis` in `generated/`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Paths that override the project's `topgen.toml`.
#[derive(clap::Args, Clone)]
struct Paths {
    /// Directory of the specs, one `<method>.yaml` per API [default: from topgen.toml, or
    /// `specs`].
    #[arg(long)]
    specs: Option<PathBuf>,
    /// Directory of the generated crate; topgen owns its Cargo.toml, README.md, src/, tests/
    /// and examples/ [default: from topgen.toml, or `generated`].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where the spec format's JSON Schema is kept [default: `<specs>/spec.schema.json`].
    #[arg(long)]
    schema: Option<PathBuf>,
}

impl Paths {
    fn layout(&self, config: &Config) -> Result<Layout, String> {
        let mut layout = config.layout()?;
        if let Some(specs) = &self.specs {
            layout.specs = specs.clone();
            if config.schema.is_none() {
                layout.schema = specs.join("spec.schema.json");
            }
        }
        if let Some(out) = &self.out {
            layout.out = out.clone();
        }
        if let Some(schema) = &self.schema {
            layout.schema = schema.clone();
        }
        Ok(layout)
    }
}

/// The specs directory: `--specs`, else the project's.
fn specs_dir(flag: &Option<PathBuf>, config: &Config) -> PathBuf {
    flag.clone()
        .unwrap_or_else(|| config.resolve(&config.specs))
}

#[derive(Subcommand)]
enum Command {
    /// Creates a topgen project in DIR: `DIR/topgen.toml`, the specs directory with the
    /// schema, and a generated crate that builds before any API is added. When DIR is inside
    /// a Cargo workspace, the crate joins its `members`. Nothing that exists is overwritten.
    Init {
        /// The project's directory (created when missing); also the crate's directory.
        dir: PathBuf,
        /// The crate's package name [default: the directory's name].
        #[arg(long)]
        name: Option<String>,
        /// Depend on the top-runtime crate in this directory (e.g. a clone of topgen's
        /// `runtime/`).
        #[arg(long, value_name = "PATH", group = "runtime")]
        runtime_path: Option<PathBuf>,
        /// Depend on top-runtime from this git repository (topgen's).
        #[arg(long, value_name = "URL", group = "runtime")]
        runtime_git: Option<String>,
        /// With `--runtime-git`: the commit, tag or branch to use.
        #[arg(long, value_name = "REV", requires = "runtime_git")]
        runtime_rev: Option<String>,
        /// Depend on the published top-runtime by this version requirement [default: this
        /// topgen's version].
        #[arg(long, value_name = "REQ", group = "runtime")]
        runtime_version: Option<String>,
    },
    /// Regenerates the crate and the schema, rewriting only files that changed and deleting
    /// generated files no spec produces any more.
    Generate {
        #[command(flatten)]
        paths: Paths,
        /// List every file written or deleted, not only the summary.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Regenerates in memory and compares with the disk: exit 0 when in sync, 1 with a diff
    /// of every difference otherwise.
    Check {
        #[command(flatten)]
        paths: Paths,
        /// Always render everything and compare, instead of trusting files whose stamps
        /// prove they match the current specs and generator.
        #[arg(long)]
        full: bool,
        /// Instead of the sync check: compare the specs at this git revision with the working
        /// tree, print every change classified breaking or compatible, exit 1 when any is
        /// breaking (a deleted spec is).
        #[arg(long, value_name = "GIT_REV")]
        breaking: Option<String>,
        /// Print the diff of every changed file (by default the first 20, then a count).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Writes `specs/<method>.yaml` (or with `--message`, `specs/messages/<topic>.yaml`): a
    /// commented skeleton to fill in. Refuses to overwrite.
    New {
        /// The TOP method, e.g. `taobao.item.get`; with `--message`, the TMC topic, e.g.
        /// `taobao_trade_TradeBuyerPay`.
        #[arg(value_name = "METHOD|TOPIC")]
        method: String,
        /// Scaffold a message spec for the TMC topic given.
        #[arg(long)]
        message: bool,
        /// Directory of the specs [default: from topgen.toml, or `specs`].
        #[arg(long)]
        specs: Option<PathBuf>,
    },
    /// Classifies each change between two versions of a spec as breaking or compatible;
    /// exit 1 when anything is breaking.
    Diff {
        /// The old version.
        old: PathBuf,
        /// The new version.
        new: PathBuf,
    },
    /// Warnings that do not stop generation: fields without description or example, request
    /// Strings without max_length, generic struct names, examples that restate the type.
    Lint {
        /// Directory of the specs, when no files are given [default: from topgen.toml, or
        /// `specs`].
        #[arg(long)]
        specs: Option<PathBuf>,
        /// `--deny warnings`: exit 1 when there is any warning (for CI).
        #[arg(long, value_parser = ["warnings"])]
        deny: Option<String>,
        /// Specs to lint; default: every `*.yaml` in `--specs`.
        files: Vec<PathBuf>,
    },
    /// Checks the specs only, reporting every problem with its location.
    Validate {
        /// Directory of the specs [default: from topgen.toml, or `specs`].
        #[arg(long)]
        specs: Option<PathBuf>,
    },
    /// Prints the JSON Schema of the spec format (draft-07), for editors.
    Schema {
        /// The schema of the message spec format (`messages/<topic>.yaml`) instead.
        #[arg(long)]
        message: bool,
    },
    /// Adds catalogue APIs: imports each method's doc from the built-in catalogue into the
    /// specs directory, then regenerates the crate.
    ///
    /// Never replaces an existing spec without `--force`, which keeps that spec's Rust names.
    /// An unknown method gets did-you-mean suggestions, and nothing is written.
    Add {
        /// TOP methods, e.g. `taobao.picture.upload`.
        #[arg(required = true, value_name = "METHOD")]
        methods: Vec<String>,
        /// A catalogue directory of doc JSON (`<category>/<doc>.json`) to use instead of the
        /// built-in one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        #[command(flatten)]
        paths: Paths,
        /// Replace existing specs (their Rust names are kept).
        #[arg(long)]
        force: bool,
        /// List every file written.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Finds catalogue APIs by what they do: ranked by how well the words match the method,
    /// the Chinese title, the description, the category and the parameter names (Chinese or
    /// English, any case; Chinese needs no spaces between words). Exit 1 when nothing
    /// matches.
    Search {
        /// What the API does, e.g. `发货`, `退款`, `access token`.
        #[arg(required = true, value_name = "WORDS")]
        words: Vec<String>,
        /// How many APIs to print.
        #[arg(long, default_value_t = topgen::catalogue::browse::DEFAULT_LIMIT, value_name = "N")]
        limit: usize,
        /// Only APIs of this category (its name or directory, as `topgen list` shows).
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
        /// A catalogue directory to use instead of the built-in one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
    /// Shows a catalogue API before adding it: title, category, description, request
    /// parameters (wire name, type, required, limits, description) and response fields.
    Show {
        /// The TOP method, e.g. `taobao.trade.fullinfo.get`.
        method: String,
        /// Print the doc JSON as the catalogue holds it.
        #[arg(long)]
        json: bool,
        /// A catalogue directory to use instead of the built-in one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
    /// Lists the catalogue's categories with their API counts, or the APIs of one.
    List {
        /// A category (its name or directory) whose APIs to list.
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
        /// A catalogue directory to use instead of the built-in one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
    },
    /// Generates a crate outside the workspace from a deterministic sample of the catalogue
    /// (the first API of every category, and the first API of each doc type and limit not yet
    /// covered), or with `--all` from every catalogue API: `OUT/specs/` and `OUT/generated/`.
    Sample {
        /// Where to write `specs/` and the crate `generated/`.
        #[arg(long, default_value = "target/catalogue-sample")]
        out: PathBuf,
        /// Every catalogue API, not a sample.
        #[arg(long)]
        all: bool,
        /// A fixed sample of N APIs, every k-th doc in path order (for compile-cost benchmarks).
        #[arg(long, value_name = "N", conflicts_with = "all")]
        pick: Option<usize>,
        /// A directory of hand-written specs to add (may be repeated).
        #[arg(long, value_name = "DIR")]
        extra: Vec<PathBuf>,
        /// A catalogue directory of doc JSON (`<category>/<doc>.json`) to use instead of the
        /// built-in one.
        #[arg(long, value_name = "DIR")]
        catalogue: Option<PathBuf>,
        /// The `top-runtime` crate the sample depends on.
        #[arg(long, default_value = "runtime")]
        runtime: PathBuf,
        /// A lock file to copy beside the crate, so it builds with the same versions.
        #[arg(long, default_value = "Cargo.lock")]
        lock: PathBuf,
        /// Split the APIs into N crates, `OUT/part-01/`…, so that each compiles in bounded
        /// memory (thousands of APIs in one crate need tens of GB).
        #[arg(long, default_value_t = 1, value_name = "N")]
        split: usize,
    },
    /// Reads TOP API docs and writes specs: page text (a browser's copy of a doc page) or doc
    /// JSON (the document the doc site serves, bare or as `{"success": true, "data": …}`),
    /// told apart by content.
    ///
    /// PATHs are files, `-` (standard input) or directories, whose `*.json` are read
    /// recursively in sorted order; a doc's category is the `name` in the nearest
    /// `catelog.json`. One doc prints its spec, or with `--out DIR` writes
    /// `DIR/<method>.yaml` (never over an existing spec without `--force`); several docs need
    /// `--out`. Every doc is reported on its own, as `FILE:LINE: warning: …` (page) or
    /// `FILE:/JSON/POINTER: warning: …` (doc JSON); a doc with errors writes nothing, and the
    /// batch goes on. The last line is `imported N of M API docs (W warnings, F failed)`;
    /// the exit status is 1 when any doc failed.
    ///
    /// Names a doc does not state get valid placeholders marked `# TODO` (digit codes
    /// become `Code0`, `Code1`…). `--keep-names-from SPEC` carries `rust_name`, `enum_name`
    /// and variant names over from an existing spec, matched by wire name (and code); with
    /// `--force` the names of the spec being replaced are kept the same way.
    Import {
        /// Doc files, directories of doc JSON, or `-` for standard input.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<String>,
        /// Directory to write `<method>.yaml` into, e.g. `specs/`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing spec in `--out`.
        #[arg(long)]
        force: bool,
        /// An existing spec whose Rust names to keep (one doc only).
        #[arg(long, value_name = "SPEC")]
        keep_names_from: Option<PathBuf>,
        /// Print no warnings (errors and the summary still).
        #[arg(long, short)]
        quiet: bool,
        /// Print each spec file written.
        #[arg(long, short)]
        verbose: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, cli.config.as_deref()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, config_file: Option<&std::path::Path>) -> Result<ExitCode, String> {
    // Read only by the commands that work on a project, so that a broken `topgen.toml`
    // never stops `schema`, `diff` or `sample`.
    let config = || Config::discover(config_file);
    match command {
        Command::Init {
            dir,
            name,
            runtime_path,
            runtime_git,
            runtime_rev,
            runtime_version,
        } => {
            let runtime = match (runtime_path, runtime_git, runtime_version) {
                (Some(path), _, _) => RuntimeSource::Path(path),
                (_, Some(url), _) => RuntimeSource::Git {
                    url,
                    rev: runtime_rev,
                },
                (_, _, Some(req)) => RuntimeSource::Version(req),
                _ => Config::defaults(".").runtime,
            };
            topgen::init::run(&topgen::init::InitOptions { dir, name, runtime }).map(ExitCode::from)
        }
        Command::Import {
            paths,
            out,
            force,
            keep_names_from,
            quiet,
            verbose,
        } => topgen::import::command::run(&topgen::import::Options {
            inputs: paths,
            out,
            force,
            keep_names_from,
            quiet,
            verbose,
        })
        .map(ExitCode::from),
        Command::Add {
            methods,
            catalogue,
            paths,
            force,
            verbose,
        } => topgen::catalogue::add(&topgen::catalogue::AddOptions {
            methods,
            catalogue,
            layout: paths.layout(&config()?)?,
            force,
            verbose,
        })
        .map(ExitCode::from),
        Command::Sample {
            out,
            all,
            pick,
            extra,
            catalogue,
            runtime,
            lock,
            split,
        } => topgen::catalogue::sample(&topgen::catalogue::SampleOptions {
            catalogue,
            out,
            all,
            pick,
            extra,
            runtime,
            lock: Some(lock),
            split,
        })
        .map(ExitCode::from),
        Command::Search {
            words,
            limit,
            category,
            catalogue,
        } => topgen::catalogue::browse::search_command(
            catalogue.as_deref(),
            &words,
            limit,
            category.as_deref(),
        )
        .map(ExitCode::from),
        Command::Show {
            method,
            json,
            catalogue,
        } => topgen::catalogue::browse::show_command(catalogue.as_deref(), &method, json)
            .map(ExitCode::from),
        Command::List {
            category,
            catalogue,
        } => topgen::catalogue::browse::list_command(catalogue.as_deref(), category.as_deref())
            .map(ExitCode::from),
        Command::Schema { message } => {
            print!(
                "{}",
                if message {
                    topgen::spec::message_json_schema()
                } else {
                    topgen::spec::json_schema()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { specs } => {
            let dir = specs_dir(&specs, &config()?);
            let apis = load_specs(&dir);
            let messages = load_message_specs(&dir);
            let (apis, messages) = match (apis, messages) {
                (Ok(apis), Ok(messages)) => (apis, messages),
                (Err(a), Err(m)) => return Err(format!("{a}\n{m}")),
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            eprintln!(
                "{} spec(s) and {} message spec(s) are valid",
                apis.len(),
                messages.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate { paths, verbose } => {
            let layout = paths.layout(&config()?)?;
            let apis = load_specs(&layout.specs)?;
            let messages = load_message_specs(&layout.specs)?;
            output::regenerate(&apis, &messages, &layout, verbose)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::New {
            method,
            message,
            specs,
        } => {
            let specs = specs_dir(&specs, &config()?);
            let checked = if message {
                topgen::scaffold::parse_topic(&method)
            } else {
                topgen::scaffold::parse_method(&method)
            };
            match checked {
                Err(problem) => {
                    eprintln!("error: `{method}`: {problem}");
                    Ok(ExitCode::from(2))
                }
                Ok(_) if message => {
                    topgen::scaffold::command_message(&specs, &method).map(ExitCode::from)
                }
                Ok(_) => topgen::scaffold::command(&specs, &method).map(ExitCode::from),
            }
        }
        Command::Diff { old, new } => topgen::diff::command_diff(&old, &new).map(ExitCode::from),
        Command::Lint { specs, deny, files } => {
            let specs = if files.is_empty() {
                specs_dir(&specs, &config()?)
            } else {
                specs.unwrap_or_default()
            };
            topgen::lint::command(&specs, &files, deny.is_some()).map(ExitCode::from)
        }
        Command::Check {
            paths,
            breaking: Some(rev),
            ..
        } => topgen::diff::command_breaking(&paths.layout(&config()?)?.specs, &rev)
            .map(ExitCode::from),
        Command::Check {
            paths,
            full,
            breaking: None,
            verbose,
        } => {
            let layout = paths.layout(&config()?)?;
            if !full && output::in_sync_by_stamps(&layout).unwrap_or(false) {
                eprintln!("generated files are in sync (every stamp matches its spec)");
                return Ok(ExitCode::SUCCESS);
            }
            let apis = load_specs(&layout.specs)?;
            let messages = load_message_specs(&layout.specs)?;
            let progress = Progress::start(apis.len(), "rendering");
            let rendered = if full {
                output::render_with(&apis, &messages, &layout.settings, &progress)?
            } else {
                output::render_incremental_with(&apis, &messages, &layout, &progress)?
            };
            let drift = output::check(&layout, &rendered)
                .map_err(|e| format!("error: cannot read: {e}"))?;
            if drift.is_clean() {
                eprintln!("{} API(s): generated files are in sync", apis.len());
                return Ok(ExitCode::SUCCESS);
            }
            // Thousands of stale files (after a generator change) would bury the summary.
            let shown = if verbose { usize::MAX } else { DIFFS_SHOWN };
            for (_, diff) in drift.changed.iter().take(shown) {
                print!("{diff}");
            }
            if drift.changed.len() > shown {
                println!(
                    "… and {} more changed file(s): `check --verbose` shows every diff",
                    drift.changed.len() - shown
                );
            }
            for path in &drift.missing {
                println!("missing: {path}");
            }
            for path in &drift.extra {
                println!("extra (no spec generates it): {path}");
            }
            println!(
                "\nerror: generated files are out of date ({} changed, {} missing, {} extra).\nfix: {}",
                drift.changed.len(),
                drift.missing.len(),
                drift.extra.len(),
                layout.settings.regenerate_command()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn load_message_specs(dir: &std::path::Path) -> Result<Vec<topgen::ir::Message>, String> {
    load::load_messages(dir).map_err(|e| match e {
        LoadError::Invalid(_) => e.to_string(),
        LoadError::Io(..) => format!("error: {e}"),
    })
}

fn load_specs(dir: &std::path::Path) -> Result<Vec<topgen::ir::Api>, String> {
    load::load_dir(dir).map_err(|e| match e {
        LoadError::Invalid(_) => e.to_string(),
        LoadError::Io(..) => format!("error: {e}"),
    })
}
