//! `chartcoder audit`: a chart's trail, or the whole trail checked.

use super::{BAD_INPUT, Cli, open_existing};
use crate::config::Config;
use crate::sanitize::line;
use std::io::Write;
use std::process::ExitCode;

/// `chartcoder audit --verify [--expect HASH]`.
pub(super) fn verify(cli: &Cli, config: &Config, expect: Option<&str>) -> anyhow::Result<ExitCode> {
    let store = open_existing(cli, config)?;
    let v = crate::store::audit::verify(store.conn(), expect.map(str::trim))?;
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

/// `chartcoder audit --account ACCOUNT [--json]`.
pub(super) fn chart_trail(
    cli: &Cli,
    config: &Config,
    account: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = open_existing(cli, config)?;
    let Some(id) = crate::store::charts::chart_id_for_account(store.conn(), account)? else {
        say!("chartcoder: no chart with account {account}");
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for e in crate::store::audit::for_chart(store.conn(), id)? {
        if json {
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
