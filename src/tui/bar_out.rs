//! A completed chart's BAR^P12 written into the HL7 outbox (`hl7.outbox_dir`),
//! for `chartcoder hl7-send` to deliver. Used on completion in the
//! workstation and by `chartcoder export --format hl7-bar`.

use crate::interchange::hl7::bar;
use crate::store::{Store, charts};
use std::path::{Path, PathBuf};

/// Writes the chart's message as it is stored now; returns the file's path.
pub fn write(store: &Store, dir: &Path, chart_id: i64) -> std::io::Result<PathBuf> {
    let chart = charts::load_chart(store.conn(), chart_id).map_err(std::io::Error::other)?;
    let database = store.database_id().map_err(std::io::Error::other)?;
    let now = chrono::Local::now();
    let millis = now.timestamp_millis();
    let control = bar::control_id(chart_id, millis);
    let text = bar::bar_p12(&chart, &control, now.naive_local(), &bar::Route::default());
    // Named so that a listing by name is the order they were made in.
    let name = format!("bar-{database}-{millis:015}-{chart_id}.hl7");
    crate::outbox::write_message(dir, &name, text.as_bytes(), &store.protected_files())
}
