//! The command line: options, subcommands, and which database they open.

mod fhir;
mod hl7;
mod hl7_send;

use crate::config::Config;
use crate::domain::ChartStatus;
use crate::{demo, tui};
use anyhow::anyhow;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
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

mod audit;
mod db;
mod drg;
mod import_export;
mod lookup;
mod open;
mod queries;
mod report_quality;
mod review;
mod validate;

use open::{acting_coder, audit_trail_trusted, stored_chart};
pub use open::{default_db_path, open_existing, open_store};
pub use validate::load_rules;
use validate::refuse_file;

#[derive(Debug, Parser)]
#[command(
    name = "chartcoder",
    version,
    about = "A terminal workstation for medical coders: chart queue, code assignment, edits and physician queries.",
    after_help = "With no command, opens the coding workstation (the chart queue).\n\
                  Without --db, the database lives in your data directory and starts with a demo queue."
)]
pub struct Cli {
    /// The chart database: an SQLite file, or a PostgreSQL database as
    /// postgresql://USER@HOST/DATABASE (default: database.url or database.path,
    /// else $XDG_DATA_HOME/chartcoder/chartcoder.db, seeded with the demo queue)
    #[arg(long, global = true, value_name = "PATH|URL")]
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
    /// Users and their roles (coder, reviewer, manager): list, add,
    /// set-role, remove; only a manager changes them, each change audited
    Users {
        #[command(subcommand)]
        action: review::UsersCommand,
    },
    /// Second-level review: the queue, the rules (managers), start, change
    /// with a reason, pass, return, agree, rebut, settle (managers), final,
    /// reopen (managers). See README.md, "Second-level review"
    Review {
        #[command(subcommand)]
        action: review::ReviewCommand,
    },
    /// Reports
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// The database itself: `db migrate` applies the schema steps it lacks
    /// (an SQLite file, or PostgreSQL with --db postgresql://...); `db copy`
    /// moves an SQLite database into PostgreSQL
    Db {
        #[command(subcommand)]
        action: db::DbCommand,
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
    /// Coding accuracy from second-level reviews: diagnosis, procedure,
    /// principal diagnosis and DRG accuracy, overall, by coder and by month
    /// (README.md, "Accuracy method")
    Accuracy {
        #[command(flatten)]
        args: report_quality::QualityArgs,
    },
    /// Productivity: charts, hours on chart (from the audit trail), charts
    /// per hour by encounter type and by coder, against the targets
    Productivity {
        #[command(flatten)]
        args: report_quality::QualityArgs,
    },
    /// Discharged not final billed (DNFB) and not final coded (DNFC): charts
    /// by days since discharge, status and hold reason, with the amount held
    Dnfb {
        /// The day ages are counted to (default: today)
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        args: report_quality::QualityArgs,
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

/// The config the options name (a bad key binding named with its file before
/// anything starts), else the defaults.
fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let Some(path) = &cli.config else {
        return Ok(Config::defaults());
    };
    let config = Config::load(path)?;
    tui::keymap::Keymap::from_config(&config.keys)
        .map_err(|e| anyhow!("config file {}: {e}", path.display()))?;
    Ok(config)
}

/// Runs the subcommand the options name (the workstation without one).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    match &cli.command {
        None => workstation(&cli, &config),
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
        Some(Command::Listen { mllp, allow_remote }) => listen(&cli, &config, mllp, *allow_remote),
        Some(Command::Import {
            format: ImportFormat::Json,
            file,
        }) => import_export::import_json(&cli, &config, file),
        Some(Command::Export {
            format,
            account,
            status,
            output,
        }) => import_export::export_command(
            &cli,
            &config,
            *format,
            account.as_deref(),
            *status,
            output.as_deref(),
        ),
        Some(Command::Hl7Send { once }) => hl7_send::run(&config, *once),
        Some(Command::Code { code, date }) => {
            let date = date.unwrap_or_else(|| chrono::Local::now().date_naive());
            lookup::print_code(code, date, &config)
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
            lookup::search(&config, &terms.join(" "), &filters, *limit, *json)
        }
        Some(Command::Validate {
            account,
            file,
            json,
        }) => validate::validate(&cli, &config, account.as_deref(), file.as_deref(), *json),
        Some(Command::Group {
            account,
            file,
            json,
        }) => drg::group(&cli, &config, account.as_deref(), file.as_deref(), *json),
        Some(Command::Query { action }) => queries::query_command(&cli, &config, action),
        Some(Command::Policy { action }) => queries::policy_command(&cli, &config, action),
        Some(Command::Audit {
            verify: true,
            expect,
            ..
        }) => audit::verify(&cli, &config, expect.as_deref()),
        Some(Command::Audit {
            account: Some(account),
            json,
            ..
        }) => audit::chart_trail(&cli, &config, account, *json),
        Some(Command::Audit { account: None, .. }) => {
            Err(anyhow!("give --account ACCOUNT or --verify"))
        }
        Some(Command::Report { what }) => report(&cli, &config, what),
        Some(Command::Users { action }) => review::users_command(&cli, &config, action),
        Some(Command::Review { action }) => review::review_command(&cli, &config, action),
        Some(Command::Demo { generate, seed }) => demo_charts(&cli, &config, *generate, *seed),
        Some(Command::Db { action }) => db::db_command(&cli, &config, action),
    }
}

/// `chartcoder report WHAT`.
fn report(cli: &Cli, config: &Config, what: &ReportCommand) -> anyhow::Result<ExitCode> {
    match what {
        ReportCommand::Queries { from, to, json } => {
            queries::report(cli, config, *from, *to, *json)
        }
        ReportCommand::Cmi {
            from,
            to,
            json,
            csv,
        } => drg::report_cmi(cli, config, *from, *to, *json, *csv),
        ReportCommand::Accuracy { args } => {
            report_quality::report(cli, config, report_quality::Which::Accuracy, args)
        }
        ReportCommand::Productivity { args } => {
            report_quality::report(cli, config, report_quality::Which::Productivity, args)
        }
        ReportCommand::Dnfb { as_of, args } => {
            report_quality::report(cli, config, report_quality::Which::Dnfb(*as_of), args)
        }
    }
}

/// `chartcoder demo --generate N`.
fn demo_charts(cli: &Cli, config: &Config, generate: u64, seed: u64) -> anyhow::Result<ExitCode> {
    let mut store = open_store(cli, config)?;
    let today = chrono::Local::now().date_naive();
    let n = demo::generate(&mut store, generate, seed, today)?;
    println!("added {n} synthetic chart(s)");
    Ok(ExitCode::SUCCESS)
}

/// The coding workstation, once the audit trail is trusted.
fn workstation(cli: &Cli, config: &Config) -> anyhow::Result<ExitCode> {
    let mut store = open_store(cli, config)?;
    let user = acting_coder(cli, config, &store)?;
    if !audit_trail_trusted(&mut store, &user, cli.accept_broken_audit)? {
        return Ok(ExitCode::FAILURE);
    }
    tui::run(store, &user, config)?;
    Ok(ExitCode::SUCCESS)
}

/// `chartcoder listen`: the database created and migrated here, each
/// connection opening its own.
fn listen(cli: &Cli, config: &Config, mllp: &str, allow_remote: bool) -> anyhow::Result<ExitCode> {
    drop(open_store(cli, config)?);
    hl7::listen(open::opener(cli, config)?, mllp, allow_remote, config)
}
