//! `chartcoder code` and `chartcoder search`: a code's detail and the code
//! search, from the command line.

use super::BAD_INPUT;
use crate::config::Config;
use crate::sanitize::{line, text};
use std::io::Write;
use std::process::ExitCode;

/// `chartcoder code`: every code system that knows the code, each in its own block
/// (without a dot, G0439 is HCPCS G0439 and ICD-10-CM G04.39).
pub(super) fn print_code(
    code: &str,
    date: chrono::NaiveDate,
    config: &Config,
) -> anyhow::Result<ExitCode> {
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
pub(super) fn search(
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
