//! `chartcoder policy` and `chartcoder query`: the site's policies and the
//! physician queries from the command line.

use super::{BAD_INPUT, Cli, PolicyCommand, QueryCommand, acting_coder, open_existing};
use crate::config::Config;
use crate::sanitize::{line, text};
use anyhow::Context;
use std::io::Write;
use std::process::ExitCode;

/// `chartcoder policy ...`.
pub(super) fn policy_command(
    cli: &Cli,
    config: &Config,
    action: &PolicyCommand,
) -> anyhow::Result<ExitCode> {
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
pub(super) fn query_command(
    cli: &Cli,
    config: &Config,
    action: &QueryCommand,
) -> anyhow::Result<ExitCode> {
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
            list(&store, account.as_deref(), *open, escalation_hours)
        }
        QueryCommand::Print { id } => print(&mut store, user, *id),
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

/// `chartcoder report queries`.
pub(super) fn report(
    cli: &Cli,
    config: &Config,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_existing(cli, config)?;
    let (rows, coded) = crate::store::queries::report_rows(store.conn(), from, to)?;
    let report = crate::query::report::compute(
        &rows,
        coded,
        chrono::Utc::now(),
        config.queries.response_hours,
        crate::store::site::policy(store.conn())?.escalation_hours,
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", text(&crate::query::report::text(&report)));
    }
    Ok(ExitCode::SUCCESS)
}

/// `chartcoder query list`: one query per line, the overdue marked.
fn list(
    store: &crate::store::Store,
    account: Option<&str>,
    open: bool,
    escalation_hours: u32,
) -> anyhow::Result<ExitCode> {
    use crate::store::queries;
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
        if open && q.status != crate::domain::QueryStatus::Open {
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

/// `chartcoder query print`: the query as sent, its answer and status; a
/// view of the chart, recorded first.
fn print(store: &mut crate::store::Store, user: &str, id: i64) -> anyhow::Result<ExitCode> {
    use crate::store::queries;
    let Some(q) = queries::get(store.conn(), id)? else {
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
