//! Keystroke latency, for speed work (not a check): every prefix of every
//! family fixture term searched as the keystroke test searches it (limit 50,
//! reportable codes, FY2026, diagnoses or procedures by family).
//!
//! `cargo run --release --example keystrokes -- tail [RUNS]`: each keystroke
//! timed RUNS times (default 3), the fastest kept (a shared machine's noise
//! only ever adds), then p50 / p99 and the slowest 2% by query shape (word
//! count, the pass that answered, family), and the slowest 200 keystrokes to
//! `/tmp/keystrokes-tail.tsv` (`family<TAB>prefix`).
//! `cargo run --release --example keystrokes -- run FILE`: each line of FILE
//! (`family<TAB>prefix`) searched once, for `valgrind --tool=callgrind`.
//! `cargo run --release --example keystrokes -- seq [PASSES [FILE]]`: every
//! keystroke in fixture order on one searcher, as the `slowest_keystrokes`
//! test types them (each search after the one before, its kept state
//! warm or cold as typing leaves it), PASSES times (default 3) on a fresh
//! searcher each, each keystroke's fastest pass kept (FILE: the lines of
//! FILE, as `run` reads them, instead of the fixtures); p50 / p99 and the
//! slowest 200 keystrokes, each with the prefixes typed before it, to
//! `/tmp/keystrokes-seq-tail.tsv` (for `run` under callgrind).

use chartcoder::search::cache::{self, UserTables};
use chartcoder::search::{Filters, SearchStats, Searcher, SystemFilter, relevance};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn filters(family: &str) -> Filters {
    let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap_or_default();
    let mut f = Filters::on(date);
    f.billable_only = true;
    f.systems = if family == "pcs" {
        SystemFilter::Procedures
    } else {
        SystemFilter::Diagnoses
    };
    f
}

/// The pass that answered a search.
fn pass(s: &SearchStats) -> &'static str {
    if s.fallback {
        "fallback"
    } else if s.relaxed {
        "relaxed"
    } else if s.scanned {
        "scan"
    } else {
        "exact"
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from("target/tmp/search-cache");
    let (ix, _) = cache::load_or_build(Some(&dir), &UserTables::default())?;
    let mut searcher = Searcher::new(&ix);
    let keystrokes: Vec<(String, String)> = match args.first().map(String::as_str) {
        Some("run") | Some("seq") if args.len() > 1 + usize::from(args[0] == "seq") => {
            let file = &args[1 + usize::from(args[0] == "seq")];
            std::fs::read_to_string(file)?
                .lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(f, q)| (f.to_string(), q.to_string()))
                .collect()
        }
        _ => {
            let text = include_str!("../tests/fixtures/search_families.tsv");
            let mut out = Vec::new();
            for f in relevance::parse(text)? {
                for n in (1..=f.query.len()).filter(|&n| f.query.is_char_boundary(n)) {
                    out.push((f.family.clone(), f.query[..n].to_string()));
                }
            }
            out
        }
    };
    if args.first().map(String::as_str) == Some("seq") {
        let passes: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
        return seq(&ix, &keystrokes, passes);
    }
    if args.first().map(String::as_str) == Some("run") {
        let mut n = 0;
        for (family, q) in &keystrokes {
            n += searcher.search(q, &filters(family), 50).len();
        }
        println!("{} searches, {n} hits", keystrokes.len());
        return Ok(());
    }
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut times: Vec<(Duration, usize, SearchStats)> = Vec::new();
    for (i, (family, q)) in keystrokes.iter().enumerate() {
        let f = filters(family);
        let mut best = Duration::MAX;
        for _ in 0..runs {
            let t = Instant::now();
            let _ = searcher.search(q, &f, 50);
            best = best.min(t.elapsed());
        }
        times.push((best, i, searcher.stats()));
    }
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    let at = |p: f64| {
        times[((times.len() as f64) * (1.0 - p)) as usize]
            .0
            .as_secs_f64()
            * 1e3
    };
    println!(
        "{} keystrokes (fastest of {runs}): p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(0.999)
    );
    let tail = &times[..times.len() / 50];
    let mut shapes: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for (t, i, s) in tail {
        let (family, q) = &keystrokes[*i];
        let words = q.split_whitespace().count().min(9);
        for key in [
            format!("words {words}"),
            format!("pass {}", pass(s)),
            format!("family {family}"),
        ] {
            let e = shapes.entry(key).or_default();
            e.0 += 1;
            e.1 += t.as_secs_f64() * 1e3;
        }
    }
    println!(
        "slowest 2% ({} keystrokes) by shape: count, mean ms",
        tail.len()
    );
    for (k, (n, ms)) in &shapes {
        println!("  {k:<16} {n:>5}  {:.3}", ms / *n as f64);
    }
    let mut list = String::new();
    for (t, i, s) in times.iter().take(200) {
        let (family, q) = &keystrokes[*i];
        list.push_str(&format!("{family}\t{q}\n"));
        if list.lines().count() <= 25 {
            println!("{:>8.3} ms  {family}  {q:?}  {s:?}", t.as_secs_f64() * 1e3);
        }
    }
    std::fs::write("/tmp/keystrokes-tail.tsv", list)?;
    Ok(())
}

/// Every keystroke typed in order, PASSES times on a fresh searcher each
/// (the `seq` mode).
fn seq(
    ix: &chartcoder::search::SearchIndex,
    keystrokes: &[(String, String)],
    passes: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut best = vec![Duration::MAX; keystrokes.len()];
    for _ in 0..passes {
        let mut searcher = Searcher::new(ix);
        for (i, (family, q)) in keystrokes.iter().enumerate() {
            let f = filters(family);
            let t = Instant::now();
            let _ = searcher.search(q, &f, 50);
            best[i] = best[i].min(t.elapsed());
        }
    }
    let mut order: Vec<usize> = (0..keystrokes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(best[i]));
    let at = |p: f64| best[order[((order.len() as f64) * (1.0 - p)) as usize]].as_secs_f64() * 1e3;
    let tail = &order[..order.len() / 50];
    let tail_ms: f64 = tail.iter().map(|&i| best[i].as_secs_f64() * 1e3).sum();
    println!(
        "{} keystrokes in order (fastest of {passes} passes): p50 {:.3} ms  p90 {:.3} ms  \
         p99 {:.3} ms  p99.9 {:.3} ms  slowest 2% mean {:.3} ms",
        order.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(0.999),
        tail_ms / tail.len().max(1) as f64
    );
    let mut list = String::new();
    for (n, &i) in order.iter().take(200).enumerate() {
        let (family, q) = &keystrokes[i];
        if n < 25 {
            println!("{:>8.3} ms  {family}  {q:?}", best[i].as_secs_f64() * 1e3);
        }
        let mut chars: Vec<usize> = (1..=q.len()).filter(|&k| q.is_char_boundary(k)).collect();
        chars.retain(|&k| k > 0);
        for k in chars {
            list.push_str(&format!("{family}\t{}\n", &q[..k]));
        }
    }
    std::fs::write("/tmp/keystrokes-seq-tail.tsv", list)?;
    Ok(())
}
