//! The edits engine: time to validate a 25-diagnosis, 10-procedure inpatient
//! chart (target <= 1 ms), beside a naive baseline measured in the same run: the
//! same Excludes1 and MCE checks written the way a first version would, finding
//! each code's tabular entry and MCE row by scanning the code sets (no index).
//!
//!     cargo bench --bench edits

mod common;
use chartcoder::codeset::{IcdCm, IcdPcs, NoteKind, code_key, risk};
use chartcoder::domain::Chart;
use chartcoder::edits::notes::parse_ranges;
use chartcoder::edits::{EditOptions, Rules, SiteTables};
use common::{DX, PX, chart, percentiles};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The naive version: Excludes1 pairs and the MCE principal and age flags,
/// each code found by scanning every tabular node and every MCE row.
fn naive(cm: &IcdCm, chart: &Chart) -> (usize, usize) {
    let node_of = |code: &str| {
        let key = code_key(code);
        cm.nodes.iter().position(|n| code_key(&n.code) == key)
    };
    let flags_of = |code: &str| {
        let key = code_key(code);
        cm.mce
            .iter()
            .find(|(k, _)| **k == key)
            .map(|(_, m)| m.flags_on(chart.encounter.discharge_date).to_vec())
            .unwrap_or_default()
    };
    let mut excludes = 0;
    for a in &chart.diagnoses {
        let Some(node) = node_of(&a.code) else {
            continue;
        };
        for (_, note) in cm.notes(node) {
            if note.kind != NoteKind::Excludes1 {
                continue;
            }
            for b in &chart.diagnoses {
                if b.code != a.code && parse_ranges(&note.text).iter().any(|r| r.contains(&b.code))
                {
                    excludes += 1;
                }
            }
        }
    }
    let flagged = chart
        .diagnoses
        .iter()
        .filter(|d| !flags_of(&d.code).is_empty())
        .count();
    (excludes, flagged)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let cm = Arc::new(IcdCm::load_bundled().expect("cm"));
    let pcs = Arc::new(IcdPcs::load_bundled().expect("pcs"));
    let cc = Arc::new(risk::load_cc_mcc().expect("cc"));
    let rules = Rules::new(
        Arc::clone(&cm),
        pcs,
        cc,
        SiteTables::default(),
        EditOptions::default(),
    )
    .expect("rules");
    let chart = chart();
    let findings = rules.validate(&chart);
    let (ours50, ours99) = percentiles(|| drop(black_box(rules.validate(black_box(&chart)))), 2000);
    let (naive50, naive99) = percentiles(
        || {
            black_box(naive(&cm, black_box(&chart)));
        },
        50,
    );
    println!(
        "edits: validate a {}-diagnosis, {}-procedure inpatient chart ({} findings; one core)",
        DX.len(),
        PX.len(),
        findings.len()
    );
    println!(
        "  chartcoder        p50 {:.3} ms  p99 {:.3} ms   (target <= 1 ms)",
        ms(ours50),
        ms(ours99)
    );
    println!(
        "  naive (scans)     p50 {:.3} ms  p99 {:.3} ms   ({:.0}x slower at p50; Excludes1 and MCE flags only)",
        ms(naive50),
        ms(naive99),
        ms(naive50) / ms(ours50).max(1e-9)
    );
}
