//! A FHIR Bundle of 100 MB (the issue asks for 50 MB and more) is imported by
//! the real binary while its peak memory (VmHWM in /proc/PID/status, polled
//! until it exits) stays far below the size of the file: the Bundle is
//! streamed, never read whole. What the process does hold: about 9 MB to
//! start, SQLite's page cache (the store sets `cache_size` to 32 MiB, which
//! an import of 80 MB of documents fills), the first pass's summaries, and
//! the documents of one encounter at a time.

#[path = "common/fhir_gen.rs"]
mod fhir_gen;

use std::process::Command;
use std::time::Duration;

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_bundle_over_50_mb_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("big.json");
    let (_, encounters, resources) = fhir_gen::write_bundle(&bundle, 100 * 1024 * 1024);
    let size = std::fs::metadata(&bundle).unwrap().len();
    assert!(size >= 50 * 1024 * 1024, "{size}");
    let db = dir.path().join("big.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(["--db", db.to_str().unwrap(), "import", "--format", "fhir"])
        .arg(&bundle)
        .env("HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // The output is read on its own thread so the child never blocks on it.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = reader.join().unwrap();
    assert!(
        status.success(),
        "{}",
        &out[out.len().saturating_sub(2000)..]
    );
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!(
            "{resources} resource(s) read: {encounters} chart(s) imported"
        )),
        "{last}"
    );
    eprintln!(
        "{size} byte bundle, {resources} resources, {encounters} charts: peak memory {peak} KiB"
    );
    assert!(peak > 0, "VmHWM was read");
    // Reading the file whole would take its 100 MB and more; the first
    // pass grows with the number of resources (about 5 MB for 25,000).
    assert!(peak < 72 * 1024, "peak {peak} KiB for a {size} byte file");
}
