//! The coding actions the workstation performs, as data.
//!
//! The screen builds a [`Command`] (what the coder asked for: plain values,
//! no SQL) and hands it to its saver, which runs [`Command::apply`] in one
//! `BEGIN IMMEDIATE` transaction (see [`Store::write`](super::Store::write)).
//! A command can be logged, compared and asserted without running SQL; its
//! body only calls the store's functions, each of which writes its audit row.

use super::coding::{self, Claim, CodeList, LineDetail};
use super::sql::Tx;
use super::{Result, queries};
use crate::domain::{AuditAction, CodeSystem, FinalDrg, Poa, QueryOutcome};
use crate::query::Draft;
use chrono::NaiveDate;

/// What a store action gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Nothing,
    /// Where the changed code now is in its list.
    At(usize),
    Claim(Claim),
    /// The id of the query sent.
    Query(i64),
}

/// One coding action on one chart (the chart and the coder are given to
/// [`Command::apply`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Open the chart: claim it when nobody holds it (the claim expires
    /// after the site's claim time), else read-only.
    Claim,
    /// Mark the coder's claim as still active.
    Touch,
    /// Add an ICD-10-CM diagnosis at the end of the list.
    AddDiagnosis { code: String, edition: String },
    /// Add a procedure (ICD-10-PCS, CPT or HCPCS) at the end of the list,
    /// with its date and, when known, its practitioner.
    AddProcedure {
        code: String,
        system: CodeSystem,
        date: Option<NaiveDate>,
        provider: Option<String>,
    },
    /// Remove the code at `position` of `list`.
    Remove { list: CodeList, position: usize },
    /// Move the code at `position` of `list` one place up or down.
    Shift {
        list: CodeList,
        position: usize,
        up: bool,
    },
    /// Set (or clear) a diagnosis's present-on-admission indicator.
    SetPoa { position: usize, poa: Option<Poa> },
    /// A CPT/HCPCS line's modifiers, units and pointers, and, when given,
    /// its date and practitioner, together.
    SetLineDetail {
        position: usize,
        detail: LineDetail,
        when: Option<(Option<NaiveDate>, Option<String>)>,
    },
    /// A procedure's date and practitioner.
    SetProcedureDetail {
        position: usize,
        date: Option<NaiveDate>,
        provider: Option<String>,
    },
    /// Acknowledge an edit warning.
    Acknowledge {
        finding_key: String,
        message: String,
    },
    /// Complete the chart with its working DRG, refused while `blocking`
    /// findings remain.
    Complete {
        blocking: Vec<String>,
        drg: Option<FinalDrg>,
    },
    /// Save the physician query being written as a draft.
    SaveQueryDraft { draft: Draft },
    /// Send a physician query (the chart goes on hold).
    SendQuery { draft: Draft },
    /// Close a query with its outcome.
    CloseQuery {
        query_id: i64,
        outcome: QueryOutcome,
    },
    /// Record the physician's answer to a query.
    AnswerQuery { query_id: i64, text: String },
    /// Cancel a query, with the reason.
    CancelQuery { query_id: i64, reason: String },
    /// Send a query to another physician, with the reason.
    ChangeRecipient {
        query_id: i64,
        physician: String,
        reason: String,
    },
    /// A second-level review action (the chart's DRG regrouped as the codes
    /// stand, see [`Command::apply_with`]).
    Review(super::review::ReviewCommand),
    /// An audit row about the coder's session, on no chart: the screen
    /// locked or unlocked, a wrong password on the lock screen, the logoff.
    AuditSession { action: AuditAction, detail: String },
}

/// How a review action groups the chart as it stands: the workstation's
/// grouper, once its tables are loaded.
pub struct Regrouping<'a> {
    pub regroup: super::review::Regroup<'a>,
    /// The single-CC/MCC review rule, when it can be answered.
    pub single: Option<super::review::SingleCcMcc<'a>>,
}

fn no_drg(_: &crate::domain::Chart) -> Option<FinalDrg> {
    None
}

impl Regrouping<'_> {
    /// No grouper: the DRG is taken as stored.
    pub fn none() -> Regrouping<'static> {
        Regrouping {
            regroup: &no_drg,
            single: None,
        }
    }
}

impl Command {
    /// Whether the command acts on a chart (the chart given to
    /// [`Command::apply`] is ignored otherwise).
    pub fn on_chart(&self) -> bool {
        !matches!(self, Command::AuditSession { .. })
    }

    /// [`Command::apply_with`] without a grouper (a review action takes the
    /// DRG as stored).
    pub fn apply(&self, tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<Done> {
        self.apply_with(tx, chart_id, user, &Regrouping::none())
    }

    /// Performs the action on `chart_id` as `user` inside `tx`; a review
    /// action groups the chart with `regrouping`.
    pub fn apply_with(
        &self,
        tx: &Tx<'_>,
        chart_id: i64,
        user: &str,
        regrouping: &Regrouping<'_>,
    ) -> Result<Done> {
        let nothing = |()| Done::Nothing;
        match self {
            Command::Claim => coding::claim_expiring(tx, chart_id, user).map(Done::Claim),
            Command::Touch => coding::touch(tx, chart_id, user).map(nothing),
            Command::Review(review) => review
                .apply(tx, chart_id, user, regrouping.regroup, regrouping.single)
                .map(|_| match review {
                    // The reviewer holds the chart now.
                    super::review::ReviewCommand::Start => Done::Claim(Claim::Mine),
                    _ => Done::Nothing,
                }),
            Command::AddDiagnosis { code, edition } => {
                coding::add_diagnosis(tx, chart_id, user, code, edition).map(Done::At)
            }
            Command::AddProcedure {
                code,
                system,
                date,
                provider,
            } => {
                let at = coding::add_procedure(tx, chart_id, user, code, *system, *date)?;
                if let Some(p) = provider {
                    coding::set_procedure_detail(tx, chart_id, user, at, *date, Some(p))?;
                }
                Ok(Done::At(at))
            }
            Command::Remove { list, position } => {
                coding::remove(tx, chart_id, user, *list, *position).map(|()| Done::At(*position))
            }
            Command::Shift { list, position, up } => {
                coding::shift(tx, chart_id, user, *list, *position, *up).map(Done::At)
            }
            Command::SetPoa { position, poa } => {
                coding::set_poa(tx, chart_id, user, *position, *poa).map(nothing)
            }
            Command::SetLineDetail {
                position,
                detail,
                when,
            } => {
                coding::set_line_detail(tx, chart_id, user, *position, detail)?;
                if let Some((date, who)) = when {
                    let who = who.as_deref();
                    coding::set_procedure_detail(tx, chart_id, user, *position, *date, who)?;
                }
                Ok(Done::Nothing)
            }
            Command::SetProcedureDetail {
                position,
                date,
                provider,
            } => {
                let who = provider.as_deref();
                coding::set_procedure_detail(tx, chart_id, user, *position, *date, who).map(nothing)
            }
            Command::Acknowledge {
                finding_key,
                message,
            } => coding::acknowledge(tx, chart_id, user, finding_key, message).map(nothing),
            Command::Complete { blocking, drg } => {
                coding::complete(tx, chart_id, user, blocking, drg.as_ref()).map(nothing)
            }
            Command::SaveQueryDraft { draft } => {
                queries::save_draft(tx, chart_id, user, draft).map(|_| Done::Nothing)
            }
            Command::SendQuery { draft } => {
                queries::send(tx, chart_id, user, draft).map(Done::Query)
            }
            Command::CloseQuery { query_id, outcome } => {
                queries::close(tx, *query_id, user, *outcome).map(nothing)
            }
            Command::AnswerQuery { query_id, text } => {
                queries::answer(tx, *query_id, user, text).map(nothing)
            }
            Command::CancelQuery { query_id, reason } => {
                queries::cancel(tx, *query_id, user, reason).map(nothing)
            }
            Command::ChangeRecipient {
                query_id,
                physician,
                reason,
            } => queries::change_recipient(tx, *query_id, user, physician, reason).map(nothing),
            Command::AuditSession { action, detail } => {
                super::audit::record(tx, user, None, *action, detail).map(nothing)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChartStatus, QueryStatus};
    use crate::query::{Citation, Format, Indicator};
    use crate::store::testing::Stores;
    use crate::store::{Store, StoreError, audit, charts};

    /// The demo store and its second chart (ready, no codes), unclaimed.
    fn store(stores: &Stores) -> (Store, i64) {
        let mut store = stores.open();
        crate::demo::seed(&mut store).unwrap();
        let id = charts::chart_id_for_account(store.conn(), "A26110203")
            .unwrap()
            .unwrap();
        (store, id)
    }

    /// The demo store with that chart claimed by amy.
    fn claimed(stores: &Stores) -> (Store, i64) {
        let (mut store, id) = store(stores);
        assert_eq!(
            run(&mut store, id, "amy", &Command::Claim).unwrap(),
            Done::Claim(Claim::Mine)
        );
        (store, id)
    }

    fn run(store: &mut Store, id: i64, user: &str, command: &Command) -> Result<Done> {
        store.write(|tx| command.apply(tx, id, user))
    }

    /// The chart's audit actions, oldest first.
    fn trail(store: &Store, id: i64) -> Vec<String> {
        audit::for_chart(store.conn(), id)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    fn last_audit(store: &Store, id: i64) -> (String, String) {
        let e = audit::for_chart(store.conn(), id).unwrap().pop().unwrap();
        (e.actor, e.action)
    }

    fn dx(code: &str) -> Command {
        Command::AddDiagnosis {
            code: code.into(),
            edition: "FY2026".into(),
        }
    }

    /// `command` by bo (who does not hold the chart) is refused and changes
    /// neither the chart nor its trail.
    fn refused_for_another_coder(store: &mut Store, id: i64, command: &Command) {
        let chart = charts::load_chart(store.conn(), id).unwrap();
        let queries = crate::store::queries::for_chart(store.conn(), id).unwrap();
        let before = trail(store, id);
        let result = run(store, id, "bo", command);
        assert!(
            matches!(result, Err(StoreError::Refused(_))),
            "{command:?}: {result:?}"
        );
        assert_eq!(charts::load_chart(store.conn(), id).unwrap(), chart);
        assert_eq!(
            crate::store::queries::for_chart(store.conn(), id).unwrap(),
            queries
        );
        assert_eq!(trail(store, id), before, "{command:?}");
    }

    both_stores! {
        fn claim_takes_a_free_chart_and_reports_another_coders(stores: &Stores) {
            let (mut store, id) = store(stores);
            assert_eq!(
                run(&mut store, id, "amy", &Command::Claim).unwrap(),
                Done::Claim(Claim::Mine)
            );
            let chart = charts::load_chart(store.conn(), id).unwrap();
            assert_eq!(chart.status, ChartStatus::InProgress);
            assert_eq!(last_audit(&store, id), ("amy".into(), "claim".into()));
            assert_eq!(
                run(&mut store, id, "bo", &Command::Claim).unwrap(),
                Done::Claim(Claim::TakenBy("amy".into()))
            );
            // Opened read-only: recorded as a view, the claim stays amy's.
            assert_eq!(last_audit(&store, id), ("bo".into(), "view".into()));
            let owner: Option<String> = store
                .conn()
                .query_row(
                    "SELECT claimed_by FROM charts WHERE chart_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(owner.as_deref(), Some("amy"));
        }
    }

    both_stores! {
        fn touch_marks_the_claim_active_only_for_its_holder(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            let old = "2000-01-01T00:00:00Z";
            let claimed_at = |s: &Store| -> String {
                s.conn()
                    .query_row(
                        "SELECT claimed_at FROM charts WHERE chart_id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .unwrap()
            };
            store
                .conn()
                .execute(
                    "UPDATE charts SET claimed_at = ?2 WHERE chart_id = ?1",
                    crate::store::sql::params![id, old],
                )
                .unwrap();
            assert_eq!(
                run(&mut store, id, "bo", &Command::Touch).unwrap(),
                Done::Nothing
            );
            assert_eq!(claimed_at(&store), old, "bo holds nothing to touch");
            assert_eq!(
                run(&mut store, id, "amy", &Command::Touch).unwrap(),
                Done::Nothing
            );
            assert!(claimed_at(&store).as_str() > old);
        }
    }

    both_stores! {
        fn add_diagnosis_appends_with_its_edition(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            assert_eq!(
                run(&mut store, id, "amy", &dx("I50.23")).unwrap(),
                Done::At(0)
            );
            assert_eq!(
                run(&mut store, id, "amy", &dx("E78.5")).unwrap(),
                Done::At(1)
            );
            let chart = charts::load_chart(store.conn(), id).unwrap();
            let codes: Vec<_> = chart.diagnoses.iter().map(|d| d.code.as_str()).collect();
            assert_eq!(codes, ["I50.23", "E78.5"]);
            assert_eq!(chart.diagnoses[0].edition, "FY2026");
            assert_eq!(chart.diagnoses[0].system, CodeSystem::Icd10Cm);
            assert_eq!(
                last_audit(&store, id),
                ("amy".into(), "add_diagnosis".into())
            );
            refused_for_another_coder(&mut store, id, &dx("I10"));
        }
    }

    both_stores! {
        fn add_procedure_saves_its_date_and_practitioner_together(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            let date = NaiveDate::from_ymd_opt(2026, 11, 3);
            let add = Command::AddProcedure {
                code: "02703DZ".into(),
                system: CodeSystem::Icd10Pcs,
                date,
                provider: Some("Dr. Kim Ames".into()),
            };
            assert_eq!(run(&mut store, id, "amy", &add).unwrap(), Done::At(0));
            let p = &charts::load_chart(store.conn(), id).unwrap().procedures[0];
            assert_eq!(
                (p.code.as_str(), p.system, p.date),
                ("02703DZ", CodeSystem::Icd10Pcs, date)
            );
            assert_eq!(p.provider.as_deref(), Some("Dr. Kim Ames"));
            assert!(trail(&store, id).contains(&"add_procedure".to_string()));
            refused_for_another_coder(&mut store, id, &add);
        }
    }

    both_stores! {
        fn shift_and_remove_resequence_the_list(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            for code in ["I50.23", "E78.5", "I10"] {
                run(&mut store, id, "amy", &dx(code)).unwrap();
            }
            let up = Command::Shift {
                list: CodeList::Diagnoses,
                position: 2,
                up: true,
            };
            assert_eq!(run(&mut store, id, "amy", &up).unwrap(), Done::At(1));
            assert_eq!(
                last_audit(&store, id),
                ("amy".into(), "move_diagnosis".into())
            );
            let remove = Command::Remove {
                list: CodeList::Diagnoses,
                position: 0,
            };
            assert_eq!(run(&mut store, id, "amy", &remove).unwrap(), Done::At(0));
            assert_eq!(
                last_audit(&store, id),
                ("amy".into(), "remove_diagnosis".into())
            );
            let chart = charts::load_chart(store.conn(), id).unwrap();
            let codes: Vec<_> = chart.diagnoses.iter().map(|d| d.code.as_str()).collect();
            assert_eq!(codes, ["I10", "E78.5"]);
            refused_for_another_coder(&mut store, id, &remove);
            refused_for_another_coder(&mut store, id, &up);
        }
    }

    both_stores! {
        fn set_poa_sets_and_clears_the_indicator(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            run(&mut store, id, "amy", &dx("I50.23")).unwrap();
            let set = |poa| Command::SetPoa { position: 0, poa };
            assert_eq!(
                run(&mut store, id, "amy", &set(Some(Poa::No))).unwrap(),
                Done::Nothing
            );
            let poa = |s: &Store| charts::load_chart(s.conn(), id).unwrap().diagnoses[0].poa;
            assert_eq!(poa(&store), Some(Poa::No));
            assert_eq!(last_audit(&store, id), ("amy".into(), "set_poa".into()));
            refused_for_another_coder(&mut store, id, &set(Some(Poa::Yes)));
            run(&mut store, id, "amy", &set(None)).unwrap();
            assert_eq!(poa(&store), None);
        }
    }

    both_stores! {
        fn line_and_procedure_details_are_saved(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            run(&mut store, id, "amy", &dx("I10")).unwrap();
            let cpt = Command::AddProcedure {
                code: "99214".into(),
                system: CodeSystem::Cpt,
                date: None,
                provider: None,
            };
            run(&mut store, id, "amy", &cpt).unwrap();
            let date = NaiveDate::from_ymd_opt(2026, 11, 4);
            let line = Command::SetLineDetail {
                position: 0,
                detail: LineDetail {
                    modifiers: vec!["25".into()],
                    units: 2,
                    pointers: vec![1],
                },
                when: Some((date, Some("Dr. Lee".into()))),
            };
            assert_eq!(run(&mut store, id, "amy", &line).unwrap(), Done::Nothing);
            let p = charts::load_chart(store.conn(), id).unwrap().procedures[0].clone();
            assert_eq!(
                (p.modifiers, p.units, p.pointers),
                (vec!["25".to_string()], 2, vec![1])
            );
            assert_eq!((p.date, p.provider.as_deref()), (date, Some("Dr. Lee")));
            assert!(trail(&store, id).contains(&"set_line_detail".to_string()));
            refused_for_another_coder(&mut store, id, &line);
            let later = NaiveDate::from_ymd_opt(2026, 11, 5);
            let detail = Command::SetProcedureDetail {
                position: 0,
                date: later,
                provider: None,
            };
            assert_eq!(run(&mut store, id, "amy", &detail).unwrap(), Done::Nothing);
            let p = charts::load_chart(store.conn(), id).unwrap().procedures[0].clone();
            assert_eq!((p.date, p.provider), (later, None));
            refused_for_another_coder(&mut store, id, &detail);
        }
    }

    both_stores! {
        fn acknowledge_records_the_warning(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            let ack = Command::Acknowledge {
                finding_key: "W-1".into(),
                message: "a warning".into(),
            };
            refused_for_another_coder(&mut store, id, &ack);
            assert_eq!(run(&mut store, id, "amy", &ack).unwrap(), Done::Nothing);
            let acks = coding::acknowledged(store.conn(), id).unwrap();
            assert!(acks.contains("W-1") && acks.len() == 1);
            assert_eq!(last_audit(&store, id), ("amy".into(), "acknowledge".into()));
        }
    }

    both_stores! {
        fn complete_codes_the_chart_unless_something_blocks(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            let complete = |blocking: &[&str]| Command::Complete {
                blocking: blocking.iter().map(|s| s.to_string()).collect(),
                drg: None,
            };
            assert!(
                run(&mut store, id, "amy", &complete(&[])).is_err(),
                "no diagnosis yet"
            );
            run(&mut store, id, "amy", &dx("I10")).unwrap();
            refused_for_another_coder(&mut store, id, &complete(&[]));
            let before = trail(&store, id);
            let err = run(&mut store, id, "amy", &complete(&["an error"])).unwrap_err();
            assert!(err.to_string().contains("an error"), "{err}");
            assert_eq!(trail(&store, id), before);
            assert_eq!(
                run(&mut store, id, "amy", &complete(&[])).unwrap(),
                Done::Nothing
            );
            let chart = charts::load_chart(store.conn(), id).unwrap();
            assert_eq!(chart.status, ChartStatus::Coded);
            assert!(trail(&store, id).contains(&"complete".to_string()));
        }
    }

    /// A query that passes the lint (as in tests/queries.rs).
    fn draft(store: &Store, chart_id: i64) -> Draft {
        let chart = charts::load_chart(store.conn(), chart_id).unwrap();
        Draft {
            template: Some("Heart failure type and acuity".into()),
            physician: chart.encounter.attending.clone().unwrap(),
            format: Some(Format::MultipleChoice),
            yes_no_reason: None,
            question: "Based on your clinical judgment, can the type and acuity of the heart \
                       failure be further specified?"
                .into(),
            indicators: vec![Indicator {
                text: "BNP 1,450 pg/mL".into(),
                source: Some(Citation::of(&chart.documents[0])),
            }],
            choices: vec![
                "Acute on chronic diastolic (HFpEF) heart failure".into(),
                "Chronic diastolic (HFpEF) heart failure".into(),
            ],
        }
    }

    fn query(store: &Store, query_id: i64) -> crate::query::StoredQuery {
        crate::store::queries::get(store.conn(), query_id)
            .unwrap()
            .unwrap()
    }

    both_stores! {
        fn a_draft_is_kept_and_a_sent_query_holds_the_chart(stores: &Stores) {
            let (mut store, id) = claimed(stores);
            let d = draft(&store, id);
            let save = Command::SaveQueryDraft { draft: d.clone() };
            refused_for_another_coder(&mut store, id, &save);
            assert_eq!(run(&mut store, id, "amy", &save).unwrap(), Done::Nothing);
            let kept = crate::store::queries::draft_of(store.conn(), id, "amy").unwrap();
            assert_eq!(kept.map(|k| k.question), Some(d.question.clone()));
            assert_eq!(last_audit(&store, id), ("amy".into(), "query_draft".into()));
            let send = Command::SendQuery { draft: d };
            refused_for_another_coder(&mut store, id, &send);
            let Ok(Done::Query(query_id)) = run(&mut store, id, "amy", &send) else {
                panic!("not sent");
            };
            assert_eq!(query(&store, query_id).status, QueryStatus::Open);
            assert_eq!(
                charts::load_chart(store.conn(), id).unwrap().status,
                ChartStatus::OnHold
            );
            assert!(trail(&store, id).contains(&"query_sent".to_string()));
        }
    }

    /// The claimed chart with a query sent on it.
    fn sent(stores: &Stores) -> (Store, i64, i64) {
        let (mut store, id) = claimed(stores);
        let send = Command::SendQuery {
            draft: draft(&store, id),
        };
        let Ok(Done::Query(query_id)) = run(&mut store, id, "amy", &send) else {
            panic!("not sent");
        };
        (store, id, query_id)
    }

    both_stores! {
        fn a_query_is_answered_then_closed(stores: &Stores) {
            let (mut store, id, q) = sent(stores);
            let close = Command::CloseQuery {
                query_id: q,
                outcome: QueryOutcome::Agreed,
            };
            let before = trail(&store, id);
            assert!(
                run(&mut store, id, "amy", &close).is_err(),
                "an open query has no answer yet"
            );
            assert_eq!(trail(&store, id), before);
            let answer = Command::AnswerQuery {
                query_id: q,
                text: "Acute on chronic diastolic heart failure".into(),
            };
            assert_eq!(run(&mut store, id, "amy", &answer).unwrap(), Done::Nothing);
            let stored = query(&store, q);
            assert_eq!(stored.status, QueryStatus::Answered);
            assert_eq!(
                stored.answer.as_deref(),
                Some("Acute on chronic diastolic heart failure")
            );
            refused_for_another_coder(&mut store, id, &close);
            assert_eq!(run(&mut store, id, "amy", &close).unwrap(), Done::Nothing);
            let stored = query(&store, q);
            assert_eq!(
                (stored.status, stored.outcome),
                (QueryStatus::Closed, Some(QueryOutcome::Agreed))
            );
            assert_eq!(last_audit(&store, id).1, "query_closed".to_string());
        }
    }

    both_stores! {
        fn a_query_changes_recipient_then_is_canceled(stores: &Stores) {
            let (mut store, id, q) = sent(stores);
            let change = Command::ChangeRecipient {
                query_id: q,
                physician: "Dr. Rosa Diaz".into(),
                reason: "on leave".into(),
            };
            refused_for_another_coder(&mut store, id, &change);
            assert_eq!(run(&mut store, id, "amy", &change).unwrap(), Done::Nothing);
            assert_eq!(query(&store, q).recipient, "Dr. Rosa Diaz");
            assert_eq!(last_audit(&store, id).1, "query_recipient".to_string());
            let cancel = Command::CancelQuery {
                query_id: q,
                reason: "documentation amended".into(),
            };
            refused_for_another_coder(&mut store, id, &cancel);
            assert_eq!(run(&mut store, id, "amy", &cancel).unwrap(), Done::Nothing);
            let stored = query(&store, q);
            assert_eq!(stored.status, QueryStatus::Canceled);
            assert_eq!(
                stored.cancel_reason.as_deref(),
                Some("documentation amended")
            );
            assert_eq!(last_audit(&store, id).1, "query_canceled".to_string());
        }
    }

    /// amy codes the chart and completes it; rita is a reviewer.
    fn coded(stores: &Stores) -> (Store, i64) {
        let (mut store, id) = claimed(stores);
        let me = crate::identity::os_user();
        store
            .write(|tx| crate::store::users::add(tx, me, "rita", crate::domain::Role::Reviewer))
            .unwrap();
        run(&mut store, id, "amy", &dx("J18.9")).unwrap();
        let poa = Command::SetPoa {
            position: 0,
            poa: Some(Poa::Yes),
        };
        run(&mut store, id, "amy", &poa).unwrap();
        let complete = Command::Complete {
            blocking: vec![],
            drg: None,
        };
        run(&mut store, id, "amy", &complete).unwrap();
        (store, id)
    }

    both_stores! {
        fn a_review_start_claims_the_chart_for_the_reviewer_and_refuses_the_coder(stores: &Stores) {
            use crate::store::review::ReviewCommand;
            let (mut store, id) = coded(stores);
            let start = Command::Review(ReviewCommand::Start);
            // The coder may not review their own chart: nothing changes.
            let before = trail(&store, id);
            let own = run(&mut store, id, "amy", &start);
            assert!(matches!(own, Err(StoreError::Refused(_))), "{own:?}");
            assert_eq!(trail(&store, id), before);
            assert!(
                crate::store::review::open_review(store.conn(), id)
                    .unwrap()
                    .is_none()
            );
            // The reviewer starts it: the chart is theirs, the review open.
            assert_eq!(
                run(&mut store, id, "rita", &start).unwrap(),
                Done::Claim(Claim::Mine)
            );
            assert!(
                crate::store::review::open_review(store.conn(), id)
                    .unwrap()
                    .is_some()
            );
            assert_eq!(last_audit(&store, id).0, "rita");
        }
    }
    both_stores! {
    fn a_session_audit_is_one_row_on_no_chart_and_touches_no_chart(stores: &Stores) {
        let (mut store, id) = store(stores);
        let before = charts::load_chart(store.conn(), id).unwrap();
        let command = Command::AuditSession {
            action: AuditAction::Logoff,
            detail: "logged off after 15 minutes without a key".into(),
        };
        assert!(!command.on_chart() && Command::Touch.on_chart());
        let done = store.write(|tx| command.apply(tx, id, "amy")).unwrap();
        assert_eq!(done, Done::Nothing);
        let rows: Vec<(String, String, Option<i64>)> = store
            .conn()
            .query_map(
                "SELECT actor, action, chart_id FROM audit WHERE action = 'logoff'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(rows, [("amy".to_string(), "logoff".to_string(), None)]);
        assert_eq!(charts::load_chart(store.conn(), id).unwrap(), before);
    }
    }
}
