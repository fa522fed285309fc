//! `chartcoder users` (roles) and `chartcoder review` (second-level review:
//! the queue, the rules, start, changes with their reasons, pass, return,
//! agree, rebut, settle, final, reopen). Every action is one transaction
//! with its audit row; a refusal says why and changes nothing (exit 2).

use super::{BAD_INPUT, Cli, acting_coder, open_existing};
use crate::config::Config;
use crate::domain::{
    Chart, CodeSystem, FinalDrg, Poa, ReviewReason, Role, Verdict, normalize_diagnosis_code,
    normalize_procedure_code,
};
use crate::sanitize::line;
use crate::store::{Store, StoreError, coding, review, users};
use anyhow::anyhow;
use clap::Subcommand;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// One user per line: NAME<TAB>ROLE (the site's managers policy marked "(policy)")
    List,
    /// Add a user with a role (managers only)
    Add {
        name: String,
        /// coder, reviewer or manager
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Change a user's role (managers only)
    SetRole {
        name: String,
        /// coder, reviewer or manager
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Remove a user (managers only; they code on as a coder)
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// The review queue: coded charts the rules choose and those under
    /// review, one per line: ACCOUNT<TAB>TYPE<TAB>CODER<TAB>CODED<TAB>STATE<TAB>WHY
    Queue {
        /// One JSON object per line
        #[arg(long)]
        json: bool,
    },
    /// The review rules and targets: KEY<TAB>VALUE<TAB>what it means
    Rules,
    /// Set a review rule or target (managers only)
    Set { key: String, value: String },
    /// Start reviewing a coded chart (reviewers and managers; not one's own
    /// chart): the coder's version is kept, the chart is yours to change
    Start { account: String },
    /// The review side by side: the coder's codes, the chart's now, and
    /// each difference with its key, reason, rebuttal and verdict
    Show {
        account: String,
        /// One JSON object
        #[arg(long)]
        json: bool,
    },
    /// Change a code under review and give the change its reason, in one
    /// transaction (exactly one of the change options)
    Change {
        account: String,
        /// principal_dx_sequencing, missed_secondary_dx, unsupported_dx,
        /// wrong_code, poa, pcs_character, missing_extra_procedure, modifier,
        /// drg_changed
        #[arg(long, value_parser = parse_reason)]
        reason: ReviewReason,
        /// Why, in a few words
        #[arg(long, default_value = "")]
        note: String,
        /// Add a diagnosis (at the end; with --poa its indicator)
        #[arg(long, value_name = "CODE")]
        add_dx: Option<String>,
        /// The POA indicator of --add-dx, or the new POA with --poa-of
        #[arg(long, value_name = "Y|N|U|W|1", value_parser = parse_poa)]
        poa: Option<Poa>,
        /// Set the POA (given with --poa) of this diagnosis
        #[arg(long, value_name = "CODE")]
        poa_of: Option<String>,
        /// Remove a diagnosis
        #[arg(long, value_name = "CODE")]
        remove_dx: Option<String>,
        /// Make this diagnosis (already on the chart) the principal
        #[arg(long, value_name = "CODE")]
        principal: Option<String>,
        /// Add an ICD-10-PCS procedure (or a CPT/HCPCS line with --system)
        #[arg(long, value_name = "CODE")]
        add_px: Option<String>,
        /// The system of --add-px: icd10pcs (default), cpt or hcpcs
        #[arg(long, default_value = "icd10pcs", value_parser = parse_system)]
        system: CodeSystem,
        /// Remove a procedure or service line
        #[arg(long, value_name = "CODE")]
        remove_px: Option<String>,
    },
    /// Give a difference (by its key, as `review show` lists it) its reason
    Reason {
        account: String,
        key: String,
        #[arg(value_parser = parse_reason)]
        reason: ReviewReason,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Pass the chart to reviewed (every difference needs its reason)
    Pass { account: String },
    /// Return the chart to its coder with a note
    Return {
        account: String,
        #[arg(long)]
        note: String,
    },
    /// The coder agrees with the reviewer's changes
    Agree { account: String },
    /// The coder rebuts changes (by key), once, with a note
    Rebut {
        account: String,
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
        #[arg(long)]
        note: String,
    },
    /// A manager settles a rebuttal: KEY=reviewer or KEY=coder for each
    /// rebutted change (the coder's version of a change is put back)
    Settle {
        account: String,
        #[arg(required = true, value_name = "KEY=VERDICT", value_parser = parse_decision)]
        decisions: Vec<(String, Verdict)>,
    },
    /// Make a coded or reviewed chart final (locked; reviewers and managers)
    Final { account: String },
    /// Reopen a final chart (managers only), with the reason
    Reopen {
        account: String,
        #[arg(long)]
        reason: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

fn parse_reason(s: &str) -> Result<ReviewReason, String> {
    s.parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

fn parse_poa(s: &str) -> Result<Poa, String> {
    s.to_ascii_uppercase()
        .parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

fn parse_system(s: &str) -> Result<CodeSystem, String> {
    match s {
        "icd10pcs" | "cpt" | "hcpcs" => s
            .parse()
            .map_err(|e: crate::domain::UnknownValue| e.to_string()),
        _ => Err(format!(
            "{s:?}: a procedure's system is icd10pcs, cpt or hcpcs"
        )),
    }
}

fn parse_decision(s: &str) -> Result<(String, Verdict), String> {
    let (key, verdict) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("{s:?}: write KEY=reviewer or KEY=coder"))?;
    let verdict = verdict
        .parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())?;
    Ok((key.to_string(), verdict))
}

/// A refusal: said, exit 2; anything else is an error.
fn outcome<T>(
    result: Result<T, StoreError>,
    ok: impl FnOnce(T) -> String,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(v) => {
            println!("{}", crate::sanitize::text(&ok(v)));
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::Refused(reason)) => {
            say!("chartcoder: {reason}");
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e) => Err(e.into()),
    }
}

/// `chartcoder users`.
pub(super) fn users_command(
    cli: &Cli,
    config: &Config,
    action: &UsersCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(cli, config)?;
    if let UsersCommand::List = action {
        let mut out = std::io::stdout().lock();
        for u in users::list(store.conn())? {
            let from = if u.from_policy { "\t(policy)" } else { "" };
            writeln!(out, "{}\t{}{from}", line(&u.name), u.role)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let user = acting_coder(cli, config, &store)?;
    match action {
        UsersCommand::List => Ok(ExitCode::SUCCESS),
        UsersCommand::Add { name, role } => {
            outcome(store.write(|tx| users::add(tx, &user, name, *role)), |()| {
                format!("{}: added as {role}", line(name))
            })
        }
        UsersCommand::SetRole { name, role } => outcome(
            store.write(|tx| users::set_role(tx, &user, name, *role)),
            |old| format!("{}: {old} -> {role}", line(name)),
        ),
        UsersCommand::Remove { name } => {
            outcome(store.write(|tx| users::remove(tx, &user, name)), |()| {
                format!("{}: removed", line(name))
            })
        }
    }
}

/// Groups inpatient charts with the installed grouper (loaded on first
/// need); `None` for other charts, or when it does not group.
struct Regrouper<'c> {
    config: &'c Config,
    grouper: std::cell::OnceCell<Option<crate::drg::Grouper>>,
}

impl<'c> Regrouper<'c> {
    fn new(config: &'c Config) -> Regrouper<'c> {
        Regrouper {
            config,
            grouper: std::cell::OnceCell::new(),
        }
    }

    /// The installed grouper, loaded on first need (`None`, said once, when
    /// it cannot be loaded).
    fn grouper(&self) -> Option<&crate::drg::Grouper> {
        self.grouper
            .get_or_init(|| match super::drg::load_grouper(self.config) {
                Ok(g) => Some(g),
                Err(e) => {
                    say!("chartcoder: the MS-DRG tables: {e}; the stored DRG is kept");
                    None
                }
            })
            .as_ref()
    }

    fn regroup(&self, chart: &Chart) -> Option<FinalDrg> {
        if chart.encounter.encounter_type != crate::domain::EncounterType::Inpatient {
            return None;
        }
        let hospital = super::drg::hospital_status(self.config);
        crate::drg::regroup::regroup(self.grouper()?, chart, hospital)
    }

    /// Whether the chart's DRG rests on a single CC or MCC.
    fn single_cc_mcc(&self, chart: &Chart) -> bool {
        if chart.encounter.encounter_type != crate::domain::EncounterType::Inpatient {
            return false;
        }
        let hospital = super::drg::hospital_status(self.config);
        self.grouper()
            .is_some_and(|g| crate::drg::regroup::single_cc_mcc(g, chart, hospital))
    }
}

fn chart_of(store: &Store, account: &str) -> anyhow::Result<Option<i64>> {
    let id = crate::store::charts::chart_id_for_account(store.conn(), account)?;
    if id.is_none() {
        say!("chartcoder: no chart with account {account}");
    }
    Ok(id)
}

/// `chartcoder review`.
pub(super) fn review_command(
    cli: &Cli,
    config: &Config,
    action: &ReviewCommand,
) -> anyhow::Result<ExitCode> {
    let mut store = open_existing(cli, config)?;
    let grouper = Regrouper::new(config);
    let regroup = |c: &Chart| grouper.regroup(c);
    let regroup: review::Regroup<'_> = &regroup;
    match action {
        ReviewCommand::Queue { json } => {
            let single = |c: &Chart| grouper.single_cc_mcc(c);
            let rules = crate::store::quality::review_rules(store.conn())?;
            let single: Option<review::SingleCcMcc<'_>> = rules.single_cc_mcc.then_some(&single);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for e in review::queue(store.conn(), single)? {
                let state = e.review.as_ref().map_or_else(
                    || "to review".to_string(),
                    |(s, who)| format!("{} ({who})", s.label()),
                );
                if *json {
                    serde_json::to_writer(
                        &mut out,
                        &serde_json::json!({
                            "account": e.account, "encounter_type": e.encounter_type,
                            "discharge_date": e.discharge_date, "coder": e.coder,
                            "coded_at": e.coded_at, "state": state, "reasons": e.reasons,
                        }),
                    )?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        line(&e.account),
                        e.encounter_type,
                        line(&e.coder),
                        line(&e.coded_at),
                        line(&state),
                        line(&e.reasons.join("; "))
                    )?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Rules => {
            let mut out = std::io::stdout().lock();
            for (key, value, what) in crate::store::quality::settings(store.conn())? {
                writeln!(out, "{key}\t{}\t{what}", line(&value))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Set { key, value } => {
            let user = acting_coder(cli, config, &store)?;
            outcome(
                store.write(|tx| crate::store::quality::set_setting(tx, &user, key, value)),
                |old| format!("{key}: {} -> {}", line(&old), line(value.trim())),
            )
        }
        ReviewCommand::Show { account, json } => {
            let Some(id) = chart_of(&store, account)? else {
                return Ok(ExitCode::from(BAD_INPUT));
            };
            let user = acting_coder(cli, config, &store)?;
            let view = store.write(|tx| {
                crate::store::audit::record(
                    tx,
                    &user,
                    Some(id),
                    crate::domain::AuditAction::View,
                    "review show",
                )?;
                review::view(tx, id, regroup)
            })?;
            let Some(v) = view else {
                say!("chartcoder: {account} has not been reviewed");
                return Ok(ExitCode::from(BAD_INPUT));
            };
            show(&v, *json)?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            let single = |c: &Chart| grouper.single_cc_mcc(c);
            let rules = crate::store::quality::review_rules(store.conn())?;
            let single: Option<review::SingleCcMcc<'_>> = rules.single_cc_mcc.then_some(&single);
            act(cli, config, &mut store, action, regroup, single)
        }
    }
}

/// The actions on one chart.
fn act(
    cli: &Cli,
    config: &Config,
    store: &mut Store,
    action: &ReviewCommand,
    regroup: review::Regroup<'_>,
    single: Option<review::SingleCcMcc<'_>>,
) -> anyhow::Result<ExitCode> {
    let account = account_of(action)?;
    let Some(id) = chart_of(store, account)? else {
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let user = acting_coder(cli, config, store)?;
    let user = user.as_str();
    let a = line(account);
    match action {
        ReviewCommand::Start { .. } => outcome(
            store.write(|tx| review::start_selected(tx, id, user, single)),
            |_| format!("{a}: under review by {user}; the coder's version is kept"),
        ),
        ReviewCommand::Change { reason, note, .. } => {
            let Some(change) = Change::of(action) else {
                return Ok(ExitCode::from(BAD_INPUT));
            };
            outcome(
                store.write(|tx| change.apply(tx, id, user, *reason, note, regroup)),
                |keys| format!("{a}: {}: {}", keys.join(", "), reason.label()),
            )
        }
        ReviewCommand::Reason {
            key, reason, note, ..
        } => outcome(
            store.write(|tx| review::give_reason(tx, id, user, key, *reason, note, regroup)),
            |()| format!("{a}: {}: {}", line(key), reason.label()),
        ),
        ReviewCommand::Pass { .. } => {
            outcome(store.write(|tx| review::pass(tx, id, user, regroup)), |s| {
                format!("{a}: reviewed ({})", score_words(&s))
            })
        }
        ReviewCommand::Return { note, .. } => outcome(
            store.write(|tx| review::return_to_coder(tx, id, user, note, regroup)),
            |()| format!("{a}: returned to its coder"),
        ),
        ReviewCommand::Agree { .. } => {
            outcome(store.write(|tx| review::agree(tx, id, user)), |s| {
                format!("{a}: reviewed ({})", score_words(&s))
            })
        }
        ReviewCommand::Rebut { keys, note, .. } => outcome(
            store.write(|tx| review::rebut(tx, id, user, keys, note, regroup)),
            |()| {
                format!(
                    "{a}: rebutted {}; a manager settles it",
                    line(&keys.join(", "))
                )
            },
        ),
        ReviewCommand::Settle { decisions, .. } => outcome(
            store.write(|tx| review::settle(tx, id, user, decisions, regroup)),
            |s| format!("{a}: settled, reviewed ({})", score_words(&s)),
        ),
        ReviewCommand::Final { .. } => {
            outcome(store.write(|tx| review::finalize(tx, id, user)), |()| {
                format!("{a}: final (locked)")
            })
        }
        ReviewCommand::Reopen { reason, .. } => outcome(
            store.write(|tx| review::reopen(tx, id, user, reason)),
            |back| format!("{a}: reopened, now {back}"),
        ),
        ReviewCommand::Queue { .. }
        | ReviewCommand::Rules
        | ReviewCommand::Set { .. }
        | ReviewCommand::Show { .. } => Err(anyhow!("not an action on a chart")),
    }
}

/// The chart account an action on one chart names.
fn account_of(action: &ReviewCommand) -> anyhow::Result<&String> {
    match action {
        ReviewCommand::Start { account }
        | ReviewCommand::Change { account, .. }
        | ReviewCommand::Reason { account, .. }
        | ReviewCommand::Pass { account }
        | ReviewCommand::Return { account, .. }
        | ReviewCommand::Agree { account }
        | ReviewCommand::Rebut { account, .. }
        | ReviewCommand::Settle { account, .. }
        | ReviewCommand::Final { account }
        | ReviewCommand::Reopen { account, .. } => Ok(account),
        ReviewCommand::Queue { .. }
        | ReviewCommand::Rules
        | ReviewCommand::Set { .. }
        | ReviewCommand::Show { .. } => Err(anyhow!("not an action on a chart")),
    }
}

fn score_words(s: &crate::domain::ChartScore) -> String {
    format!(
        "diagnoses {}/{} right, procedures {}/{} right",
        s.dx_codes - s.dx_errors,
        s.dx_codes,
        s.px_codes - s.px_errors,
        s.px_codes
    )
}

/// One change of `review change`.
struct Change<'a> {
    add_dx: Option<&'a str>,
    poa: Option<Poa>,
    poa_of: Option<&'a str>,
    remove_dx: Option<&'a str>,
    principal: Option<&'a str>,
    add_px: Option<&'a str>,
    system: CodeSystem,
    remove_px: Option<&'a str>,
}

impl Change<'_> {
    /// The one change `review change` names, else the complaint said and
    /// `None` (none or several, or --poa-of without --poa).
    fn of(action: &ReviewCommand) -> Option<Change<'_>> {
        let ReviewCommand::Change {
            add_dx,
            poa,
            poa_of,
            remove_dx,
            principal,
            add_px,
            system,
            remove_px,
            ..
        } = action
        else {
            return None;
        };
        let chosen = [add_dx, poa_of, remove_dx, principal, add_px, remove_px]
            .iter()
            .filter(|o| o.is_some())
            .count();
        if chosen != 1 {
            say!(
                "chartcoder: give exactly one of --add-dx, --poa-of, --remove-dx, --principal, --add-px, --remove-px"
            );
            return None;
        }
        if poa_of.is_some() && poa.is_none() {
            say!("chartcoder: --poa-of CODE needs --poa Y|N|U|W|1");
            return None;
        }
        Some(Change {
            add_dx: add_dx.as_deref(),
            poa: *poa,
            poa_of: poa_of.as_deref(),
            remove_dx: remove_dx.as_deref(),
            principal: principal.as_deref(),
            add_px: add_px.as_deref(),
            system: *system,
            remove_px: remove_px.as_deref(),
        })
    }

    /// Makes the change with the ordinary coding actions, then gives every
    /// difference it made the reason (the DRG's, when it moved, "DRG
    /// changed"). Returns the keys given a reason.
    fn apply(
        &self,
        tx: &crate::store::sql::Tx<'_>,
        id: i64,
        user: &str,
        reason: ReviewReason,
        note: &str,
        regroup: review::Regroup<'_>,
    ) -> crate::store::Result<Vec<String>> {
        let refused = |s: String| Err(StoreError::Refused(s));
        let before = review::view(tx, id, regroup)?;
        let before: Vec<String> = before
            .filter(|v| v.review.state == crate::domain::ReviewState::InReview)
            .map(|v| v.changes.into_iter().map(|c| c.key).collect())
            .unwrap_or_default();
        let chart = crate::store::charts::load_chart(tx, id)?;
        let dx_at = |code: &str| -> crate::store::Result<usize> {
            let code =
                normalize_diagnosis_code(code).map_err(|e| StoreError::Refused(e.to_string()))?;
            chart
                .diagnoses
                .iter()
                .position(|d| d.code == code)
                .ok_or_else(|| StoreError::Refused(format!("{code} is not on the chart")))
        };
        if let Some(code) = self.add_dx {
            let code =
                normalize_diagnosis_code(code).map_err(|e| StoreError::Refused(e.to_string()))?;
            let edition = crate::codeset::Edition::for_date(chart.encounter.discharge_date);
            let at = coding::add_diagnosis(tx, id, user, &code, edition.label())?;
            if let Some(p) = self.poa {
                coding::set_poa(tx, id, user, at, Some(p))?;
            }
        } else if let Some(code) = self.poa_of {
            coding::set_poa(tx, id, user, dx_at(code)?, self.poa)?;
        } else if let Some(code) = self.remove_dx {
            coding::remove(tx, id, user, coding::CodeList::Diagnoses, dx_at(code)?)?;
        } else if let Some(code) = self.principal {
            let mut at = dx_at(code)?;
            while at > 0 {
                at = coding::shift(tx, id, user, coding::CodeList::Diagnoses, at, true)?;
            }
        } else if let Some(code) = self.add_px {
            let (code, system) = normalize_procedure_code(code, Some(self.system))
                .map_err(|e| StoreError::Refused(e.to_string()))?;
            coding::add_procedure(tx, id, user, &code, system, None)?;
        } else if let Some(code) = self.remove_px {
            let code = code.trim().to_ascii_uppercase();
            let at = chart
                .procedures
                .iter()
                .position(|p| p.code == code)
                .ok_or_else(|| StoreError::Refused(format!("{code} is not on the chart")))?;
            coding::remove(tx, id, user, coding::CodeList::Procedures, at)?;
        }
        let after = review::view(tx, id, regroup)?;
        let Some(after) = after else {
            return refused(
                "the chart has no review under way: chartcoder review start first".into(),
            );
        };
        let mut given = Vec::new();
        for c in &after.changes {
            if before.contains(&c.key) && c.reason.is_some() {
                continue;
            }
            let r = match c.difference.is_drg() {
                true => ReviewReason::DrgChanged,
                false => reason,
            };
            if c.difference.is_drg() && c.reason.is_some() {
                continue;
            }
            review::give_reason(tx, id, user, &c.key, r, note, regroup)?;
            given.push(c.key.clone());
        }
        if given.is_empty() {
            return refused(
                "the change made no difference to the coder's version: nothing was changed".into(),
            );
        }
        Ok(given)
    }
}

fn show(v: &review::ReviewView, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let r = &v.review;
    if json {
        let dx = |c: &crate::domain::CodedVersion| -> Vec<serde_json::Value> {
            c.diagnoses
                .iter()
                .map(|d| serde_json::json!({"code": d.code, "poa": d.poa.map(|p| p.as_str())}))
                .collect()
        };
        let px = |c: &crate::domain::CodedVersion| -> Vec<serde_json::Value> {
            c.procedures
                .iter()
                .map(|p| serde_json::json!({"code": p.code, "modifiers": p.modifiers}))
                .collect()
        };
        let value = serde_json::json!({
            "coder": r.coder, "reviewer": r.reviewer, "state": r.state.as_str(),
            "selected_because": r.selected_because, "return_note": r.return_note,
            "rebuttal_note": r.rebuttal_note, "settled_by": r.settled_by,
            "coder_version": {"diagnoses": dx(&v.coder), "procedures": px(&v.coder), "drg": v.coder.drg},
            "reviewer_version": {"diagnoses": dx(&v.reviewer), "procedures": px(&v.reviewer), "drg": v.reviewer.drg},
            "changes": v.changes.iter().map(|c| serde_json::json!({
                "key": c.key, "change": c.difference.describe(),
                "reason": c.reason.map(|r| r.as_str()), "note": c.note,
                "rebutted": c.rebutted, "verdict": c.verdict.map(|v| v.as_str()),
            })).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    let mut text = format!(
        "Review: coded by {}, reviewed by {}, {} ({})\n",
        r.coder,
        r.reviewer,
        r.state.label(),
        r.selected_because
    );
    text.push_str(&format!("{:<22}  {:<22}\n", "CODER", "REVIEWER"));
    let side = |c: &crate::domain::CodedVersion| -> Vec<String> {
        let mut l: Vec<String> = c
            .diagnoses
            .iter()
            .map(|d| format!("{} {}", d.code, d.poa.map_or("-", |p| p.as_str())))
            .collect();
        l.extend(c.procedures.iter().map(|p| {
            format!(
                "px {}{}",
                p.code,
                match p.modifiers.is_empty() {
                    true => String::new(),
                    false => format!("-{}", p.modifiers.join("-")),
                }
            )
        }));
        l.push(format!(
            "DRG {}",
            c.drg
                .map_or_else(|| "none".to_string(), |d| format!("{d:03}"))
        ));
        l
    };
    let (left, right) = (side(&v.coder), side(&v.reviewer));
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map_or("", String::as_str);
        let rt = right.get(i).map_or("", String::as_str);
        let mark = if l == rt { " " } else { "*" };
        text.push_str(&format!("{l:<22}{mark} {rt}\n"));
    }
    text.push_str("\nCHANGES\n");
    for c in &v.changes {
        text.push_str(&format!(
            "{}\t{}\t{}{}{}{}\n",
            c.key,
            c.difference.describe(),
            c.reason.map_or("NO REASON YET", |r| r.label()),
            match c.note.is_empty() {
                true => String::new(),
                false => format!(" ({})", c.note),
            },
            if c.rebutted { "\trebutted" } else { "" },
            c.verdict
                .map_or(String::new(), |v| format!("\t{}", v.label()))
        ));
    }
    if let Some(n) = &r.return_note {
        text.push_str(&format!("\nreturn note: {n}\n"));
    }
    if let Some(n) = &r.rebuttal_note {
        text.push_str(&format!("rebuttal: {n}\n"));
    }
    write!(out, "{}", crate::sanitize::text(&text))?;
    out.flush()?;
    Ok(())
}
