//! `chartcoder import --format fhir FILE|DIR`.

use crate::interchange::fhir;
use crate::sanitize::line;
use crate::store::Store;
use std::path::Path;
use std::process::ExitCode;

/// Imports a FHIR file or folder: a line per chart and per problem, then
/// the counts. Exit status 2 when a chart or a file was refused.
pub fn import(store: &mut Store, path: &Path, actor: &str) -> anyhow::Result<ExitCode> {
    let today = chrono::Local::now().date_naive();
    let started = std::time::Instant::now();
    let report = fhir::import(store, path, actor, today, &mut |text| {
        println!("{}", line(text));
    })?;
    println!(
        "{} ({:.1} s)",
        report.summary(),
        started.elapsed().as_secs_f64()
    );
    Ok(match report.has_errors() {
        true => ExitCode::from(2),
        false => ExitCode::SUCCESS,
    })
}
