//! The command line: options, subcommands, and which database they open.

mod fhir;
mod hl7;
mod hl7_send;

use crate::config::Config;
use crate::domain::ChartStatus;
use crate::interchange::{self, ImportError};
use crate::sanitize::{line, text};
use crate::store::{Store, StoreOptions};
use crate::{demo, tui};
use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A message on standard error, through the one sanitiser: names, paths and
/// file contents it quotes reach the terminal as visible text, never as
/// terminal commands.
macro_rules! say {
    () => {
        eprintln!()
    };
    ($($t:tt)*) => {
        eprintln!("{}", crate::sanitize::text(&format!($($t)*)))
    };
}

/// [`say!`] without the line end.
macro_rules! say_part {
    ($($t:tt)*) => {
        eprint!("{}", crate::sanitize::text(&format!($($t)*)))
    };
}

mod drg;

#[derive(Debug, Parser)]
#[command(
    name = "chartcoder",
    version,
    about = "A terminal workstation for medical coders: chart queue, code assignment, edits and physician queries.",
    after_help = "With no command, opens the coding workstation (the chart queue).\n\
                  Without --db, the database lives in your data directory and starts with a demo queue."
)]
pub struct Cli {
    /// The chart database (default: $XDG_DATA_HOME/chartcoder/chartcoder.db, seeded with the demo queue)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A config file (see config.example.toml for every key)
    #[arg(long, global = true, value_name = "PATH", env = "CHARTCODER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Seed the demo charts into a --db that does not exist yet (or holds no chart)
    #[arg(long, global = true)]
    pub demo: bool,
    /// Start the workstation although `audit --verify` finds the audit trail
    /// broken (the acceptance is itself recorded)
    #[arg(long, global = true)]
    pub accept_broken_audit: bool,
    /// Act as this coder (the site's act_as policy must allow your login; default: config coder.name, else your login)
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import charts from a JSON file (all or nothing; every problem is named),
    /// or HL7 v2 messages (--format hl7: each message applied on its own, one
    /// line per message), or FHIR R4 Bundles and NDJSON files (--format fhir:
    /// each finished encounter a chart, in its own transaction)
    Import {
        #[arg(long, value_enum, default_value_t = ImportFormat::Json)]
        format: ImportFormat,
        /// The JSON chart file (format in README.md); for hl7 a file of
        /// messages (one after another, or an FHS/BHS batch) or a folder of them;
        /// for fhir a Bundle (.json), an NDJSON file (.ndjson) or a folder of them
        file: PathBuf,
    },
    /// Send the HL7 outbox (hl7.outbox_dir: the BAR^P12 of completed charts)
    /// to the billing system's MLLP receiver (hl7.send_to), each message
    /// again with a growing wait until it is acknowledged AA; then it moves
    /// into the outbox's sent/ folder. Runs until stopped
    Hl7Send {
        /// Stop when the outbox is empty
        #[arg(long)]
        once: bool,
    },
    /// Receive HL7 v2 messages over MLLP (ADT, MDM, ORU; README.md "HL7 v2
    /// interface"), a thread per connection, until stopped
    Listen {
        /// Where to listen, e.g. 127.0.0.1:2575 (port 0: any free port, printed)
        #[arg(long, value_name = "ADDR:PORT")]
        mllp: String,
        /// Listen on an address other than loopback (MLLP has no
        /// authentication: see README.md for a TLS front or an SSH tunnel)
        #[arg(long)]
        allow_remote: bool,
    },
    /// Export charts as JSON (re-importable), CSV (one row per code), FHIR R4
    /// (a Bundle per chart, one per line) or HL7 BAR^P12 messages (hl7-bar: a
    /// file per completed chart into the HL7 outbox, or the folder -o names)
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// hl7-bar: only this chart (default: every completed chart: coded,
        /// reviewed, final)
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// Only charts with this status (ready, in_progress, on_hold, coded, reviewed, final)
        #[arg(long, value_name = "STATUS", value_parser = parse_status)]
        status: Option<ChartStatus>,
        /// Write to this file (created owner-only) instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Show a code: ICD-10-CM (title, billable or header, validity, every note that
    /// applies from the code up to its chapter, 7th characters, children),
    /// ICD-10-PCS (title from the table's axes, definitions, validity), HCPCS Level
    /// II, or the site's CPT and local tables
    Code {
        /// The code, with or without the dot (E11.621, e11621)
        code: String,
        /// The date of service or discharge that picks the edition (default: today)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
    },
    /// Search the code sets: codes (with or without the dot, or a prefix), words in
    /// any order, truncated words, typos and abbreviations. Prints one hit per
    /// line: CODE<TAB>SYSTEM<TAB>TITLE, best first
    Search {
        /// The words or code to search for
        #[arg(required = true, num_args = 1.., value_name = "TERM")]
        terms: Vec<String>,
        /// Which codes: icd10cm, icd10pcs, hcpcs, cpt, local, dx (= icd10cm),
        /// px (= every procedure system) or all
        #[arg(long, default_value = "all", value_name = "SYSTEM", value_parser = parse_system)]
        system: crate::search::SystemFilter,
        /// The date of service or discharge: picks the edition and validity (default: today)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,
        /// How many hits to print
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: usize,
        /// Only codes reportable as they stand (a code needing a 7th character is
        /// shown as its complete codes)
        #[arg(long)]
        billable: bool,
        /// Leave out codes not valid on the date (otherwise shown, marked "NOT VALID")
        #[arg(long)]
        valid_only: bool,
        /// One JSON object per line: code, system, title, billable, valid, score, matched
        #[arg(long)]
        json: bool,
    },
    /// Check charts against the coding rules (validity, tabular notes, MCE, POA,
    /// service lines): a stored chart (--account) or every chart of an import-format
    /// JSON file (not stored). Prints one finding per line:
    /// ACCOUNT<TAB>SEVERITY<TAB>RULE<TAB>CODES<TAB>MESSAGE<TAB>SOURCE. Exit status 0
    /// when no finding is an error, 1 when one is, 2 on bad input
    #[command(group(clap::ArgGroup::new("what").required(true).args(["account", "file"])))]
    Validate {
        /// The account number of a chart in the database
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// A JSON chart file in the import format
        file: Option<PathBuf>,
        /// One JSON object per line: account, rule, severity, codes, message, source
        #[arg(long)]
        json: bool,
    },
    /// Group a stored chart, or every chart of an import-format JSON file
    /// (nothing is stored), into an MS-DRG with the CMS grouper version in
    /// force on its discharge date. Prints one line per chart:
    /// ACCOUNT<TAB>DRG<TAB>MDC<TAB>TITLE<TAB>WEIGHT. Exit status 0 when every
    /// chart grouped, 1 when one did not (DRG 999 or 998, or no definitions
    /// for its date), 2 on bad input
    #[command(group(clap::ArgGroup::new("what").required(true).args(["account", "file"])))]
    Group {
        /// The account number of a chart in the database
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// A JSON chart file in the import format
        file: Option<PathBuf>,
        /// One JSON object per chart: initial and final DRG and MDC, return
        /// code and reason, every code's severity use and DRG impact, HACs,
        /// weight and lengths of stay
        #[arg(long)]
        json: bool,
    },
    /// Physician queries: list, print, record an answer, close, cancel (sending is
    /// done from the chart screen, f)
    Query {
        #[command(subcommand)]
        action: QueryCommand,
    },
    /// A chart's history from the audit trail: every view, change, acknowledgement,
    /// query and status change, with coder and time (UTC). One line each:
    /// AT<TAB>CODER<TAB>ACTION<TAB>DETAIL
    ///
    /// With --verify: checks the whole trail instead (the append-only triggers in
    /// place, every row's hash chained to the one before, every sent query and
    /// answer matching its seal) and names the first broken link; exit status 0
    /// when intact, 1 when not
    #[command(group(clap::ArgGroup::new("which").required(true).args(["account", "verify"])))]
    Audit {
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// Check the trail's integrity (and print its head hash, to keep)
        #[arg(long, conflicts_with = "json")]
        verify: bool,
        /// With --verify: a head hash kept from an earlier check, which the
        /// trail must still hold (rows cut off its end no longer are)
        #[arg(long, requires = "verify", value_name = "HASH")]
        expect: Option<String>,
        /// One JSON object per line: at, actor, os_user, action, detail
        #[arg(long)]
        json: bool,
    },
    /// The site's policies, kept in the database for every coder: claim expiry,
    /// the idle lock, query escalation, who may act as another coder, and the
    /// managers (only a manager changes them; each change is audited)
    Policy {
        #[command(subcommand)]
        action: PolicyCommand,
    },
    /// Reports
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Demo data: add synthetic charts to try the queue at scale
    Demo {
        /// How many synthetic charts to add
        #[arg(long, value_name = "N")]
        generate: u64,
        /// Seed of the generator (the same seed gives the same charts)
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum QueryCommand {
    /// One query per line: ID, status, account, recipient, sent, overdue
    List {
        /// Only this chart's queries
        #[arg(long, value_name = "ACCOUNT")]
        account: Option<String>,
        /// Only open queries
        #[arg(long)]
        open: bool,
    },
    /// Print a query as sent (and its answer and outcome)
    Print { id: i64 },
    /// Record the physician's answer, verbatim, from a file (- for standard input)
    Answer {
        id: i64,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Close an answered query (an open one only as no_response); releases its hold
    Close {
        id: i64,
        /// agreed, disagreed, clinically_undetermined or no_response
        #[arg(long, value_parser = parse_outcome)]
        outcome: crate::domain::QueryOutcome,
    },
    /// Cancel a query, with the reason; releases its hold
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// List the query templates (bundled and the site's)
    Templates,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// One policy per line: KEY<TAB>VALUE<TAB>what it means
    Show,
    /// Set a policy (managers only)
    Set {
        /// claim_expiry_minutes, lock_minutes, escalation_hours, act_as or managers
        key: String,
        value: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Physician queries: sent, answered, response rate (also within
    /// queries.response_hours), turnaround by physician, agreement rate, query rate,
    /// open and overdue, codes changed after answers
    Queries {
        /// First day a query was sent (default: the first)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        from: Option<chrono::NaiveDate>,
        /// Last day a query was sent (default: the last)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        to: Option<chrono::NaiveDate>,
        /// The report as one JSON object
        #[arg(long)]
        json: bool,
    },
    /// Case mix index of completed inpatient charts (their stored final
    /// MS-DRG weights): overall, by discharge month, by coder, and the top
    /// DRGs by count and by total weight
    Cmi {
        /// First discharge day (default: the first)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        from: Option<chrono::NaiveDate>,
        /// Last discharge day (default: the last)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        to: Option<chrono::NaiveDate>,
        /// The report as one JSON object
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// The report as CSV: section, key, charts, weighted, total_weight, cmi
        #[arg(long)]
        csv: bool,
    },
}

fn parse_outcome(s: &str) -> Result<crate::domain::QueryOutcome, String> {
    s.parse().map_err(|_| {
        format!("{s:?}: the outcome is agreed, disagreed, clinically_undetermined or no_response")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Json,
    Hl7,
    Fhir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    /// A BAR^P12 file per completed chart into the HL7 outbox.
    Hl7Bar,
    /// A FHIR R4 Bundle per chart, one per line.
    Fhir,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

fn parse_system(s: &str) -> Result<crate::search::SystemFilter, String> {
    s.parse()
}

fn parse_status(s: &str) -> Result<ChartStatus, String> {
    s.parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

/// Exit status for a refused input (bad file, bad arguments).
const BAD_INPUT: u8 = 2;

/// Parses the arguments, runs, and turns every error into a message and an exit status.
pub fn main() -> ExitCode {
    crate::fault::install();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if crate::fault::is_broken_pipe(&e) => crate::fault::broken_pipe(),
        Err(e) => {
            say!("chartcoder: {e:#}");
            // A --db that names no database, or another program's, or a
            // refused identity: a bad argument.
            match e.downcast_ref::<crate::store::StoreError>() {
                Some(
                    crate::store::StoreError::Missing { .. }
                    | crate::store::StoreError::Foreign { .. }
                    | crate::store::StoreError::NotADatabase { .. }
                    | crate::store::StoreError::Refused(_),
                ) => ExitCode::from(BAD_INPUT),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The default database: `$XDG_DATA_HOME/chartcoder/chartcoder.db`.
pub fn default_db_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "chartcoder").ok_or_else(|| {
        anyhow!("cannot find your home directory for the default database; give --db PATH")
    })?;
    Ok(dirs.data_dir().join("chartcoder.db"))
}

/// Who a command acts as: the operating-system login of the process (its real
/// uid), or the coder --user or coder.name names when the site's act_as
/// policy lists this login (every audit row then names both). `$USER` and a
/// name typed on the command line are never taken on trust.
fn acting_coder(cli: &Cli, config: &Config, store: &Store) -> anyhow::Result<String> {
    let os = crate::identity::os_user();
    let asked = cli
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .or_else(|| Some(config.coder.name.trim()).filter(|u| !u.is_empty()));
    let Some(name) = asked.filter(|name| *name != os) else {
        return Ok(os.to_string());
    };
    if name.chars().any(crate::sanitize::is_unsafe) || name.chars().count() > 64 {
        return Err(crate::store::StoreError::Refused(format!(
            "{:?} is not a coder name (at most 64 characters, no control characters)",
            crate::sanitize::line(name)
        ))
        .into());
    }
    if crate::store::site::policy(store.conn())?.may_act_as(os) {
        return Ok(name.to_string());
    }
    Err(crate::store::StoreError::Refused(format!(
        "you are logged in as {os}, and acting as the coder {:?} needs the site's act_as policy to list {os} \
         (a manager sets it: chartcoder policy set act_as {os}); leave out --user and coder.name to work as {os}",
        crate::sanitize::line(name)
    ))
    .into())
}

/// Opens the database the options name, creating and (for the default database or
/// with --demo) seeding it with the demo queue on first use.
pub fn open_store(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let explicit = cli.db.clone().or_else(|| config.database_path());
    let is_default = explicit.is_none();
    let path = match explicit {
        Some(p) => p,
        None => default_db_path()?,
    };
    let options = StoreOptions {
        busy_timeout: config.busy_timeout(),
    };
    let mut store = Store::open(&path, &options)?;
    let seed = (is_default || cli.demo) && store.is_empty()?;
    if seed {
        let n =
            demo::seed(&mut store).map_err(|e| anyhow!("seeding the demo charts failed: {e}"))?;
        say!(
            "chartcoder: created {} with {n} demo charts",
            path.display()
        );
    }
    Ok(store)
}

/// Opens the database the options name for a command that reads or sends out
/// charts: a database named with --db or database.path must exist (a mistyped
/// path is an error, never a new empty database); the default one is created
/// and seeded on first use, and --demo asks for a seeded one.
pub fn open_existing(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let path = match cli.db.clone().or_else(|| config.database_path()) {
        Some(p) if !cli.demo => p,
        _ => return open_store(cli, config),
    };
    let options = StoreOptions {
        busy_timeout: config.busy_timeout(),
    };
    Ok(Store::open_existing(&path, &options)?)
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = match &cli.config {
        Some(path) => {
            let config = Config::load(path)?;
            // A bad key binding is named with the file before anything starts.
            tui::keymap::Keymap::with_overrides(&config.keys.queue, &config.keys.chart)
                .map_err(|e| anyhow!("config file {}: {e}", path.display()))?;
            config
        }
        None => Config::defaults(),
    };
    match &cli.command {
        None => {
            let mut store = open_store(&cli, &config)?;
            let user = acting_coder(&cli, &config, &store)?;
            if !audit_trail_trusted(&mut store, &user, cli.accept_broken_audit)? {
                return Ok(ExitCode::FAILURE);
            }
            tui::run(store, &user, &config)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            format: ImportFormat::Hl7,
            file,
        }) => {
            let mut store = open_store(&cli, &config)?;
            hl7::import(&mut store, file)
        }
        Some(Command::Import {
            format: ImportFormat::Fhir,
            file,
        }) => {
            let mut store = open_store(&cli, &config)?;
            let user = acting_coder(&cli, &config, &store)?;
            fhir::import(&mut store, file, &user)
        }
        Some(Command::Listen { mllp, allow_remote }) => {
            // Created and migrated here; each connection opens its own.
            drop(open_store(&cli, &config)?);
            let path = match cli.db.clone().or_else(|| config.database_path()) {
                Some(p) => p,
                None => default_db_path()?,
            };
            let options = StoreOptions {
                busy_timeout: config.busy_timeout(),
            };
            hl7::listen(&path, &options, mllp, *allow_remote, &config)
        }
        Some(Command::Import {
            format: ImportFormat::Json,
            file,
        }) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut store = open_store(&cli, &config)?;
            let user = acting_coder(&cli, &config, &store)?;
            match interchange::import_json(&mut store, &bytes, &user) {
                Ok(n) => {
                    println!("imported {n} chart(s) from {}", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e @ ImportError::Invalid(_)) => {
                    say_part!("chartcoder: {}: {e}", file.display());
                    Ok(ExitCode::from(BAD_INPUT))
                }
                Err(e) => Err(anyhow!("{e}")),
            }
        }
        Some(Command::Export {
            format: ExportFormat::Hl7Bar,
            account,
            status,
            output,
        }) => {
            let mut store = open_existing(&cli, &config)?;
            let user = acting_coder(&cli, &config, &store)?;
            let dir = output
                .clone()
                .or_else(|| config.hl7.outbox_dir())
                .ok_or_else(|| {
                    anyhow!("hl7-bar needs a folder: -o DIR, or hl7.outbox_dir in the config")
                })?;
            hl7::export_bar(&mut store, &user, account.as_deref(), *status, &dir)
        }
        Some(Command::Export {
            format,
            account,
            status,
            output,
        }) => {
            if account.is_some() {
                return Err(anyhow!("--account is taken by --format hl7-bar only"));
            }
            let mut store = open_existing(&cli, &config)?;
            let user = acting_coder(&cli, &config, &store)?;
            export(&mut store, &user, *format, *status, output.as_deref())
        }
        Some(Command::Hl7Send { once }) => hl7_send::run(&config, *once),
        Some(Command::Code { code, date }) => {
            let date = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            print_code(code, date, &config)
        }
        Some(Command::Search {
            terms,
            system,
            date,
            limit,
            billable,
            valid_only,
            json,
        }) => {
            let filters = crate::search::Filters {
                systems: *system,
                billable_only: *billable,
                date: date.unwrap_or_else(|| chrono::Local::now().date_naive()),
                valid_only: *valid_only,
            };
            search(&config, &terms.join(" "), &filters, *limit, *json)
        }
        Some(Command::Validate {
            account,
            file,
            json,
        }) => validate(&cli, &config, account.as_deref(), file.as_deref(), *json),
        Some(Command::Group {
            account,
            file,
            json,
        }) => drg::group(&cli, &config, account.as_deref(), file.as_deref(), *json),
        Some(Command::Query { action }) => query_command(&cli, &config, action),
        Some(Command::Policy { action }) => policy_command(&cli, &config, action),
        Some(Command::Audit {
            verify: true,
            expect,
            ..
        }) => {
            let store = open_existing(&cli, &config)?;
            let v = crate::store::audit::verify(store.conn(), expect.as_deref().map(str::trim))?;
            let mut out = std::io::stdout().lock();
            if v.intact() {
                writeln!(
                    out,
                    "audit trail intact: {} row(s), each chained to the one before; the append-only \
                     triggers are in place; every sent query and answer matches its seal",
                    v.rows
                )?;
                writeln!(out, "head {}", v.head)?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(out, "audit trail BROKEN ({} row(s) checked):", v.rows)?;
            for p in &v.problems {
                writeln!(out, "  {}", line(p))?;
            }
            Ok(ExitCode::FAILURE)
        }
        Some(Command::Audit {
            account: Some(account),
            json,
            ..
        }) => {
            let store = open_existing(&cli, &config)?;
            let Some(id) = crate::store::charts::chart_id_for_account(store.conn(), account)?
            else {
                say!("chartcoder: no chart with account {account}");
                return Ok(ExitCode::from(BAD_INPUT));
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for e in crate::store::audit::for_chart(store.conn(), id)? {
                if *json {
                    serde_json::to_writer(
                        &mut out,
                        &serde_json::json!({
                            "at": e.at, "actor": e.actor, "os_user": e.os_user,
                            "action": e.action, "detail": e.detail
                        }),
                    )?;
                    writeln!(out)?;
                } else {
                    // Each field on its one line: a tab or newline in a name or
                    // a path cannot forge a column or a row, nor an ESC reach
                    // the terminal.
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}",
                        line(&e.at),
                        line(&e.who()),
                        line(&e.action),
                        line(&e.detail)
                    )?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Audit { account: None, .. }) => {
            Err(anyhow!("give --account ACCOUNT or --verify"))
        }
        Some(Command::Report {
            what: ReportCommand::Queries { from, to, json },
        }) => {
            let store = open_existing(&cli, &config)?;
            let (rows, coded) = crate::store::queries::report_rows(store.conn(), *from, *to)?;
            let report = crate::query::report::compute(
                &rows,
                coded,
                chrono::Utc::now(),
                config.queries.response_hours,
                crate::store::site::policy(store.conn())?.escalation_hours,
            );
            if *json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", text(&crate::query::report::text(&report)));
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report {
            what:
                ReportCommand::Cmi {
                    from,
                    to,
                    json,
                    csv,
                },
        }) => drg::report_cmi(&cli, &config, *from, *to, *json, *csv),
        Some(Command::Demo { generate, seed }) => {
            let mut store = open_store(&cli, &config)?;
            let today = chrono::Local::now().date_naive();
            let n = demo::generate(&mut store, *generate, *seed, today)?;
            println!("added {n} synthetic chart(s)");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The workstation records every chart it opens in the audit trail: it does
/// not add to a trail that has been tampered with unless told to
/// (`--accept-broken-audit`), and then records that it was told.
fn audit_trail_trusted(store: &mut Store, user: &str, accept: bool) -> anyhow::Result<bool> {
    if store.is_read_only() {
        return Ok(true); // the workstation refuses a read-only store itself
    }
    let v = crate::store::audit::verify(store.conn(), None)?;
    if v.intact() {
        return Ok(true);
    }
    if accept {
        let detail = format!("started although: {}", v.problems.join("; "));
        store.write(|tx| {
            crate::store::audit::record(
                tx,
                user,
                None,
                crate::domain::AuditAction::AuditBrokenAccepted,
                &detail,
            )
        })?;
        return Ok(true);
    }
    say!(
        "chartcoder: the audit trail of {} is broken, so the workstation does not start:",
        store.display_path()
    );
    for p in &v.problems {
        say!("  {}", line(p));
    }
    say!(
        "Report this to your manager or security officer. `chartcoder audit --verify` checks it again; \
         --accept-broken-audit starts anyway (and records that you did)."
    );
    Ok(false)
}

/// `chartcoder policy ...`.
fn policy_command(cli: &Cli, config: &Config, action: &PolicyCommand) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(cli, config)?;
    match action {
        PolicyCommand::Show => {
            let mut out = std::io::stdout().lock();
            for (key, value, what) in crate::store::site::show(store.conn())? {
                writeln!(out, "{key}\t{}\t{what}", line(&value))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        PolicyCommand::Set { key, value } => {
            let user = acting_coder(cli, config, &store)?;
            match store.write(|tx| crate::store::site::set(tx, &user, key, value)) {
                Ok(old) => {
                    println!("{key}: {} -> {}", line(&old), line(value.trim()));
                    Ok(ExitCode::SUCCESS)
                }
                Err(crate::store::StoreError::Refused(reason)) => {
                    say!("chartcoder: {reason}");
                    Ok(ExitCode::from(BAD_INPUT))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// `chartcoder query ...`.
fn query_command(cli: &Cli, config: &Config, action: &QueryCommand) -> anyhow::Result<ExitCode> {
    use crate::store::queries;
    if let QueryCommand::Templates = action {
        match crate::query::templates::load(config.queries.templates_dir().as_deref()) {
            Ok(all) => {
                for t in all {
                    println!("{}\t{}", t.name, t.format.label());
                }
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => {
                say!("chartcoder: {e}");
                return Ok(ExitCode::from(BAD_INPUT));
            }
        }
    }
    let mut store = open_existing(cli, config)?;
    let user = &acting_coder(cli, config, &store)?;
    let escalation_hours = crate::store::site::policy(store.conn())?.escalation_hours;
    let refused = |e: crate::store::StoreError| -> anyhow::Result<ExitCode> {
        match e {
            crate::store::StoreError::Refused(reason) => {
                say!("chartcoder: {reason}");
                Ok(ExitCode::from(BAD_INPUT))
            }
            other => Err(other.into()),
        }
    };
    let done = |what: String| {
        println!("{what}");
        Ok(ExitCode::SUCCESS)
    };
    match action {
        QueryCommand::Templates => Ok(ExitCode::SUCCESS),
        QueryCommand::List { account, open } => {
            let list = match account {
                Some(a) => match crate::store::charts::chart_id_for_account(store.conn(), a)? {
                    Some(id) => queries::for_chart(store.conn(), id)?,
                    None => {
                        say!("chartcoder: no chart with account {a}");
                        return Ok(ExitCode::from(BAD_INPUT));
                    }
                },
                None => queries::sent_between(store.conn(), None, None)?,
            };
            let now = chrono::Utc::now();
            for q in list {
                if *open && q.status != crate::domain::QueryStatus::Open {
                    continue;
                }
                let overdue = q.status == crate::domain::QueryStatus::Open
                    && q.sent_at
                        .as_deref()
                        .is_some_and(|s| queries::overdue(s, now, escalation_hours));
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    q.id,
                    q.status.as_str(),
                    line(&q.account),
                    line(&q.recipient),
                    line(q.sent_at.as_deref().unwrap_or("-")),
                    if overdue { "\tOVERDUE" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        QueryCommand::Print { id } => {
            let Some(q) = queries::get(store.conn(), *id)? else {
                say!("chartcoder: no query #{id}");
                return Ok(ExitCode::from(BAD_INPUT));
            };
            // The query quotes the chart: printing it is a view, recorded first.
            let detail = format!("query print #{id}");
            store.write(|tx| {
                crate::store::audit::record(
                    tx,
                    user,
                    Some(q.chart_id),
                    crate::domain::AuditAction::View,
                    &detail,
                )
            })?;
            // Quoted document text: shown, never obeyed by the terminal.
            print!(
                "{}",
                text(q.text.as_deref().unwrap_or("(a draft: not sent)\n"))
            );
            if q.recipient != q.physician {
                println!("\nNow with: {}", line(&q.recipient));
            }
            if let Some(answer) = &q.answer {
                println!(
                    "\nANSWER ({}):\n{}",
                    line(q.answered_at.as_deref().unwrap_or("")),
                    text(answer.trim_end())
                );
            }
            match (q.status, &q.outcome, &q.cancel_reason) {
                (crate::domain::QueryStatus::Closed, Some(o), _) => println!("\nCLOSED: {o}"),
                (crate::domain::QueryStatus::Canceled, _, Some(r)) => {
                    println!("\nCANCELED: {}", line(r))
                }
                _ => println!("\nSTATUS: {}", q.status.as_str()),
            }
            Ok(ExitCode::SUCCESS)
        }
        QueryCommand::Answer { id, file } => {
            let text = if file.as_os_str() == "-" {
                let mut t = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)?;
                t
            } else {
                std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?
            };
            match store.write(|tx| queries::answer(tx, *id, user, &text)) {
                Ok(()) => done(format!("query #{id}: answer recorded")),
                Err(e) => refused(e),
            }
        }
        QueryCommand::Close { id, outcome } => {
            match store.write(|tx| queries::close(tx, *id, user, *outcome)) {
                Ok(()) => done(format!("query #{id}: closed ({})", outcome.as_str())),
                Err(e) => refused(e),
            }
        }
        QueryCommand::Cancel { id, reason } => {
            match store.write(|tx| queries::cancel(tx, *id, user, reason)) {
                Ok(()) => done(format!("query #{id}: canceled")),
                Err(e) => refused(e),
            }
        }
    }
}

/// The edits' rules: the code sets from the cache in `codesets.cache_dir`
/// (a cache found damaged, or that cannot be written, is said on standard
/// error; the rules are complete either way), the site's tables from
/// `[edits]`.
pub fn load_rules(config: &Config) -> anyhow::Result<crate::edits::Rules> {
    let files = crate::edits::SiteFiles::from_config(&config.edits);
    let (rules, notice) = crate::reference::load_rules(config.cache_dir().as_deref(), &files)?;
    if let Some(n) = notice {
        say!("chartcoder: {n}");
    }
    Ok(rules)
}

/// `chartcoder validate`.
fn validate(
    cli: &Cli,
    config: &Config,
    account: Option<&str>,
    file: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let charts = match (account, file) {
        (Some(account), _) => {
            let mut store = open_existing(cli, config)?;
            let user = acting_coder(cli, config, &store)?;
            match crate::store::charts::chart_id_for_account(store.conn(), account)? {
                // Its codes are printed: a view of the chart, recorded.
                Some(id) => vec![(
                    store.write(|tx| {
                        crate::store::audit::record(
                            tx,
                            &user,
                            Some(id),
                            crate::domain::AuditAction::View,
                            "validate",
                        )?;
                        crate::store::charts::load_chart(tx, id)
                    })?,
                    Vec::new(),
                )],
                None => {
                    say!("chartcoder: no chart with account {account}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            }
        }
        (None, Some(file)) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            // As the claims came: a POA value that is not one is an error
            // finding, a diagnosis listed twice the MCE's duplicate.
            match interchange::json::parse_as_reported(&bytes) {
                Ok(charts) => charts
                    .into_iter()
                    .map(|c| (c.chart, c.invalid_poa))
                    .collect(),
                Err(problems) => return Ok(refuse_file(file, &problems)),
            }
        }
        (None, None) => return Err(anyhow!("give --account ACCOUNT or a FILE")),
    };
    let rules = match load_rules(config) {
        Ok(r) => r,
        Err(e) if crate::fault::is_broken_pipe(&e) => crate::fault::broken_pipe(),
        Err(e) => {
            say!("chartcoder: {e:#}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    // Inpatient charts are grouped: one that does not group is an error, and
    // Table 6K part 3 applies to its DRG.
    let grouper = match drg::load_grouper(config) {
        Ok(g) => g,
        Err(e) => {
            say!("chartcoder: the MS-DRG tables: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let hospital = drg::hospital_status(config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut errors = false;
    for (chart, invalid_poa) in &charts {
        let outcome = tui::drg::WorkingDrg::of(Some(&grouper), chart, hospital).outcome();
        for f in rules.validate_as_reported(chart, &outcome, invalid_poa) {
            errors |= f.severity == crate::edits::Severity::Error;
            if json {
                #[derive(serde::Serialize)]
                struct Line<'a> {
                    account: &'a str,
                    #[serde(flatten)]
                    finding: &'a crate::edits::Finding,
                }
                serde_json::to_writer(
                    &mut out,
                    &Line {
                        account: &chart.account,
                        finding: &f,
                    },
                )?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    line(&chart.account),
                    f.severity.label(),
                    line(f.rule),
                    line(&f.codes.join(" ")),
                    line(&f.message),
                    line(&f.source)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if errors {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// An input file refused: every problem named, exit status 2.
fn refuse_file(file: &Path, problems: &[interchange::Problem]) -> ExitCode {
    say_part!(
        "chartcoder: {}: {} problem(s):\n{}",
        file.display(),
        problems.len(),
        interchange::problems_text(problems)
    );
    ExitCode::from(BAD_INPUT)
}

/// `chartcoder code`: every code system that knows the code, each in its own block
/// (without a dot, G0439 is HCPCS G0439 and ICD-10-CM G04.39).
fn print_code(code: &str, date: chrono::NaiveDate, config: &Config) -> anyhow::Result<ExitCode> {
    use crate::codeset;
    let (official, notice) = crate::reference::Official::load(config.cache_dir().as_deref())?;
    if let Some(n) = notice {
        say!("chartcoder: {n}");
    }
    let cm = &official.cm;
    let edition = codeset::Edition::for_date(date);
    let key = codeset::code_key(code);
    let mut found = Vec::new();
    // A code deleted in FY2027 (or added) is shown from the edition that has
    // it, its status on the date in words.
    if let Some(text) = codeset::describe_code(cm, code, date) {
        found.push(text);
    }
    let dotless = !code.contains('.');
    if dotless
        && key.len() == 7
        && let Some(text) = official.pcs.describe(&key, date)
    {
        found.push(text);
    }
    if dotless
        && key.len() == 5
        && let Some(entry) = codeset::load_hcpcs()?.lookup(&key)
    {
        found.push(format!(
            "{}\t{}\n{}\n",
            entry.code,
            codeset::hcpcs::BUNDLED_EDITION,
            entry.long_description
        ));
    }
    let tables = crate::search::cache::UserTables::from_config(&config.codesets);
    let labelled = tables
        .cpt
        .iter()
        .map(|p| ("CPT", p))
        .chain(tables.local.iter().map(|p| ("Local", p)));
    for (label, path) in labelled {
        let table = codeset::user_table::load(path)?;
        if let Some(c) = table.codes.iter().find(|c| c.code == key) {
            found.push(format!(
                "{}\t{label} ({})\n{}\n",
                c.code,
                path.display(),
                c.description
            ));
        }
    }
    if !found.is_empty() {
        // A site table's descriptions are the site's text: shown, not obeyed.
        print!("{}", text(&found.join("\n")));
        return Ok(ExitCode::SUCCESS);
    }
    say_part!(
        "chartcoder: {code:?} is not a code in ICD-10-CM {}, ICD-10-PCS or HCPCS Level II",
        edition.label()
    );
    match cm.placeholder_hint(code, edition) {
        Some(hint) => say!("; did you mean {hint} (placeholder X before the 7th character)?"),
        None => say!(),
    }
    Ok(ExitCode::from(BAD_INPUT))
}

/// `chartcoder search`.
fn search(
    config: &Config,
    query: &str,
    filters: &crate::search::Filters,
    limit: usize,
    json: bool,
) -> anyhow::Result<ExitCode> {
    use crate::search::{Searcher, cache};
    let dir = config.cache_dir();
    let (index, report) = cache::load_or_build(
        dir.as_deref(),
        &crate::search::cache::UserTables::from_config(&config.codesets),
    )?;
    if let Some(w) = &report.warning {
        say!("chartcoder: {w}");
    }
    if !report.from_cache {
        say!(
            "chartcoder: built the code search index in {:.1} s{}",
            report.elapsed.as_secs_f64(),
            report
                .cache_file
                .as_ref()
                .filter(|_| report.warning.is_none())
                .map(|f| format!(" (saved to {}: later searches start at once)", f.display()))
                .unwrap_or_default()
        );
    }
    let hits = Searcher::new(&index).search(query, filters, limit);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for h in &hits {
        if json {
            let line = serde_json::json!({
                "code": h.code,
                "system": h.system.name(),
                "title": h.title,
                "billable": h.billable,
                "needs_seventh": h.needs_seventh,
                "header": h.header,
                "valid": h.valid,
                "score": (h.score * 100.0).round() / 100.0,
                "matched": h.matched,
            });
            writeln!(out, "{line}")?;
        } else {
            let mut title = h.title.clone();
            if h.needs_seventh {
                title.push_str(" [needs 7th character]");
            } else if h.header {
                title.push_str(" [header: not billable]");
            }
            if !h.valid {
                title.push_str(&format!(" [NOT VALID on {}]", filters.date));
            }
            if !h.matched.is_empty() {
                title.push_str(&format!(" <- {}", h.matched));
            }
            writeln!(
                out,
                "{}\t{}\t{}",
                line(&h.code),
                h.system.name(),
                line(&title)
            )?;
        }
    }
    out.flush()?;
    if hits.is_empty() {
        say!("chartcoder: no code matches {query:?}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// `chartcoder export`: written to the file (owner-only, never through a
/// link nor over the database, complete or not at all) or to standard output,
/// and recorded only once written.
fn export(
    store: &mut Store,
    user: &str,
    format: ExportFormat,
    status: Option<ChartStatus>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let file = match output {
        Some(path) => {
            match crate::private_file::PrivateFile::create(path, &store.protected_files()) {
                Ok(f) => Some(f),
                Err(e) => {
                    say!("chartcoder: nothing was exported: {e}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            }
        }
        None => None,
    };
    let how = format!(
        "{} to {}",
        match format {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Fhir => "fhir",
            ExportFormat::Hl7Bar => "hl7-bar",
        },
        match output {
            Some(p) => std::path::absolute(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string(),
            None => "standard output".to_string(),
        }
    );
    // Written first (a file beside its name), put in place with the audit rows.
    let file = std::cell::RefCell::new(file);
    let mut pipe_closed = false;
    let deliver = |charts: &[crate::domain::Chart]| -> Result<(), String> {
        let written = match file.borrow_mut().as_mut() {
            Some(f) => write_export(format, charts, &mut std::io::BufWriter::new(f)),
            None => write_export(
                format,
                charts,
                &mut std::io::BufWriter::new(std::io::stdout().lock()),
            ),
        };
        if written.as_ref().is_err_and(crate::fault::is_broken_pipe) {
            pipe_closed = true;
        }
        written.map_err(|e| format!("{e:#}"))
    };
    let finish = || -> Result<(), String> {
        match file.borrow_mut().take() {
            Some(f) => f.commit().map_err(|e| e.to_string()),
            None => Ok(()),
        }
    };
    match interchange::export_charts(store, status, user, &how, deliver, finish) {
        Ok(n) => {
            if let Some(path) = output {
                say!("chartcoder: exported {n} chart(s) to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        // The reader went away (`| head`): nothing recorded, end as SIGPIPE does.
        Err(interchange::ExportError::Write(_)) if pipe_closed => crate::fault::broken_pipe(),
        Err(e @ interchange::ExportError::Write(_)) => {
            say!("chartcoder: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

fn write_export(
    format: ExportFormat,
    charts: &[crate::domain::Chart],
    sink: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Json => interchange::json::write_charts(charts, sink)?,
        ExportFormat::Csv => interchange::csv::write_codes(charts, sink)?,
        ExportFormat::Fhir => interchange::fhir::export::write_bundles(charts, sink)?,
        // Written by hl7::export_bar, a file per chart.
        ExportFormat::Hl7Bar => {}
    }
    sink.flush()?;
    Ok(())
}
