//! `chartcoder import --format hl7 FILE|DIR` and `chartcoder listen --mllp`.

use crate::config::Config;
use crate::interchange::hl7::{self, AckCode, mllp};
use crate::sanitize::line;
use crate::store::Store;
use anyhow::{Context, anyhow};
use std::net::{TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The files of an import: the file, or a folder's files (not its
/// subfolders), by name.
fn files_of(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read the folder {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Counts of what the messages of an import came to.
#[derive(Default)]
struct Tally {
    applied: u64,
    duplicates: u64,
    errors: u64,
    rejected: u64,
}

/// Imports every message of a file or folder, each in its own transaction,
/// with a line per message. Exit status 2 when any was not accepted.
pub fn import(store: &mut Store, path: &Path) -> anyhow::Result<ExitCode> {
    let mut tally = Tally::default();
    for file in files_of(path)? {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            // ISO 8859-1 (MSH-18 "8859/1"): each byte is its character.
            Err(e) if e.as_bytes().windows(6).any(|w| w == b"8859/1") => {
                e.as_bytes().iter().map(|&b| char::from(b)).collect()
            }
            Err(_) => {
                eprintln!(
                    "chartcoder: {}: not UTF-8 text (and no MSH-18 8859/1): skipped",
                    line(&file.display().to_string())
                );
                tally.rejected += 1;
                continue;
            }
        };
        let (messages, stray) = hl7::split_file(&text);
        let name = file.display().to_string();
        for s in stray {
            println!("{}: {}", line(&name), line(&s));
            tally.rejected += 1;
        }
        for (i, m) in messages.iter().enumerate() {
            let o = hl7::process(store, m.text.as_bytes());
            match (o.code, o.duplicate) {
                (AckCode::Accept, false) => tally.applied += 1,
                (AckCode::Accept, true) => tally.duplicates += 1,
                (AckCode::Error, _) => tally.errors += 1,
                (AckCode::Reject, _) => tally.rejected += 1,
            }
            println!(
                "{}: message {} (line {}) {} {}: {} {}",
                line(&name),
                i + 1,
                m.line,
                line(o.message_type.as_deref().unwrap_or("?")),
                line(o.control_id.as_deref().unwrap_or("?")),
                o.code.as_str(),
                line(&o.note)
            );
        }
    }
    println!(
        "{} applied, {} already applied before, {} with errors (AE), {} rejected (AR)",
        tally.applied, tally.duplicates, tally.errors, tally.rejected
    );
    Ok(match tally.errors + tally.rejected {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::from(2),
    })
}

/// Listens for MLLP connections until killed. `open`: opens the database
/// (already created and migrated by the caller); every connection opens its own.
pub fn listen(
    open: mllp::Opener,
    address: &str,
    allow_remote: bool,
    config: &Config,
) -> anyhow::Result<ExitCode> {
    let addrs: Vec<_> = address
        .to_socket_addrs()
        .with_context(|| format!("{address:?} is not an address and port (e.g. 127.0.0.1:2575)"))?
        .collect();
    let Some(addr) = addrs.first().copied() else {
        return Err(anyhow!("{address:?} names no address"));
    };
    if !addr.ip().is_loopback() && !allow_remote && !config.hl7.allow_remote {
        return Err(anyhow!(
            "{addr} is not a loopback address: MLLP has no authentication or encryption, so \
             chartcoder listens on loopback only (127.0.0.1, ::1) unless --allow-remote (or \
             hl7.allow_remote = true) is given; put a TLS front (stunnel) or an SSH tunnel before \
             a loopback listener instead (README.md, \"HL7 v2 interface\")"
        ));
    }
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    println!("chartcoder: listening for HL7 v2 over MLLP on {bound}");
    use std::io::Write;
    std::io::stdout().flush()?;
    let log: mllp::Log = Arc::new(|text: &str| eprintln!("{}", line(text)));
    mllp::serve(&listener, &open, &log)?;
    Ok(ExitCode::SUCCESS)
}

/// `export --format hl7-bar`: a BAR^P12 file per chart into `dir` (the
/// account's chart, else every completed one: coded, reviewed, final, or
/// those of `status`), each recorded in its audit trail.
pub fn export_bar(
    store: &mut Store,
    user: &str,
    account: Option<&str>,
    status: Option<crate::domain::ChartStatus>,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    use crate::domain::ChartStatus;
    use crate::store::charts;
    let ids: Vec<i64> = match account {
        Some(a) => match charts::chart_id_for_account(store.conn(), a)? {
            Some(id) => vec![id],
            None => {
                eprintln!("chartcoder: no chart has that account");
                return Ok(ExitCode::from(2));
            }
        },
        None => {
            let statuses = match status {
                Some(s) => vec![s],
                None => vec![
                    ChartStatus::Coded,
                    ChartStatus::Reviewed,
                    ChartStatus::Final,
                ],
            };
            let mut ids = Vec::new();
            for s in statuses {
                ids.extend(charts::chart_ids(store.conn(), Some(s))?);
            }
            ids.sort_unstable();
            ids
        }
    };
    let how = format!(
        "hl7-bar to {}",
        std::path::absolute(dir)
            .unwrap_or_else(|_| dir.to_path_buf())
            .display()
    );
    for id in &ids {
        let path = crate::tui::bar_out::write(store, dir, *id).with_context(|| {
            format!(
                "nothing more was exported: cannot write into {}",
                dir.display()
            )
        })?;
        store.write(|tx| {
            crate::store::audit::record(
                tx,
                user,
                Some(*id),
                crate::domain::AuditAction::Export,
                &how,
            )
        })?;
        println!("{}", line(&path.display().to_string()));
    }
    eprintln!(
        "chartcoder: {} BAR^P12 message(s) written to {}",
        ids.len(),
        line(&dir.display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}
