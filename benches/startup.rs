//! Start-up: how long a fresh process takes until the edits can check a chart
//! (target <= 150 ms), measured end to end (the process spawned, its exit
//! awaited), from nothing but the caches on disk; beside the same process
//! parsing the tabular, PCS, MCE and CC/MCC files as every start did before
//! the code-set cache, measured in the same run, as a ratio.
//!
//! Each child process loads the code sets and the MS-DRG grouper (from its
//! own cache in both cases, as the workstation does), builds the rules,
//! groups a 25-diagnosis, 10-procedure inpatient chart and runs every edit on
//! it, then exits. A third line times the whole workstation load
//! (`CodeSets::load`: the code search index too) until that chart is checked.
//!
//!     cargo bench --bench startup

mod common;
use chartcoder::codeset::{Parsed, Sources};
use chartcoder::drg::Grouper;
use chartcoder::edits::{Rules, SiteFiles, SiteTables};
use chartcoder::reference::working_drg::{WorkingDrg, hospital_status};
use chartcoder::reference::{CodeSets, Official, cache};
use common::chart;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TARGET: Duration = Duration::from_millis(150);
const RUNS: usize = 21;

/// The CPU time this process has used so far (user + system, all its
/// threads), in ms, at the kernel's 10 ms resolution: what the start costs
/// whatever else the machine runs.
fn cpu_ms() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10
}

/// Groups the chart and runs the edits, as the chart screen does when it
/// opens; says "ready" with what was found (so the work cannot be skipped)
/// and the CPU time used.
fn check(rules: &Rules, grouper: &Grouper) {
    let chart = chart();
    let drg = WorkingDrg::of(Some(grouper), &chart, hospital_status(false)).outcome();
    let findings = rules.validate_with_drg(&chart, &drg);
    println!("ready {} {} findings, {drg:?}", cpu_ms(), findings.len());
}

/// The child process: `startup --child cached|parsed|workstation DIR`.
/// It exits once ready: freeing what it loaded is no part of a start.
fn child(how: &str, dir: &Path) -> ! {
    load_and_check(how, dir);
    use std::io::Write;
    let _ = std::io::stdout().flush();
    std::process::exit(0)
}

fn load_and_check(how: &str, dir: &Path) {
    let rules_of = |o: &Official| {
        o.rules(SiteTables::default(), &SiteFiles::default())
            .expect("rules")
    };
    match how {
        "cached" => {
            let (official, grouper) = std::thread::scope(|s| {
                let grouper = s.spawn(|| Grouper::load_cached(Some(dir)));
                let official = Official::load(Some(dir)).expect("code sets");
                (official, grouper.join().expect("thread"))
            });
            assert!(official.1.is_none(), "{:?}", official.1);
            let (grouper, _) = grouper.expect("grouper");
            check(&rules_of(&official.0), &grouper);
        }
        "parsed" => {
            // Every start before the code-set cache: the XML and CSV files
            // parsed (side by side), the grouper from its cache.
            let (parsed, grouper) = std::thread::scope(|s| {
                let grouper = s.spawn(|| Grouper::load_cached(Some(dir)));
                let parsed = Parsed::parse(&Sources::BUNDLED).expect("code sets");
                (parsed, grouper.join().expect("thread"))
            });
            let (grouper, _) = grouper.expect("grouper");
            let rules = Rules::new(
                Arc::new(parsed.cm),
                Arc::new(parsed.pcs),
                Arc::new(parsed.cc_mcc),
                SiteTables::default(),
                Default::default(),
            )
            .expect("rules");
            check(&rules, &grouper);
        }
        _ => {
            let sets = CodeSets::load(
                Some(dir.to_path_buf()),
                &Default::default(),
                &SiteFiles::default(),
            )
            .expect("code sets");
            let grouper = sets.grouper.as_deref().expect("grouper");
            check(&sets.rules, grouper);
        }
    }
}

/// A fresh process's wall time from spawn to its "ready" line, p50 and p99,
/// and the p50 of the CPU time it had used by then.
fn processes(how: &str, dir: &Path) -> (Duration, Duration, u64) {
    use std::io::BufRead;
    let exe = std::env::current_exe().expect("own path");
    let run = || {
        let t = Instant::now();
        let mut child = Command::new(&exe)
            .args(["--child", how])
            .arg(dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let line = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.starts_with("ready "));
        let took = t.elapsed();
        assert!(child.wait().expect("wait").success(), "{how} failed");
        let line = line.expect("a ready line");
        let cpu = line.split(' ').nth(1).and_then(|c| c.parse().ok());
        (took, cpu.unwrap_or(0))
    };
    run(); // warm the page cache
    let runs: Vec<(Duration, u64)> = (0..RUNS).map(|_| run()).collect();
    let mut times: Vec<Duration> = runs.iter().map(|r| r.0).collect();
    let mut cpu: Vec<u64> = runs.iter().map(|r| r.1).collect();
    times.sort();
    cpu.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99), cpu[cpu.len() / 2])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, how, dir, ..] = args.as_slice()
        && flag == "--child"
    {
        child(how, Path::new(dir));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    println!("Filling the caches (the search index takes a few seconds)...");
    let t = Instant::now();
    load_and_check("workstation", dir.path());
    println!("  done in {:.1} s\n", t.elapsed().as_secs_f64());

    // In process: the code sets alone, parsed vs read from the cache (the
    // time to have them; freeing them is no part of a start).
    let p50 = |mut load: Box<dyn FnMut() -> Parsed>| {
        let mut times: Vec<Duration> = (0..11)
            .map(|_| {
                let t = Instant::now();
                let parsed = load();
                let took = t.elapsed();
                drop(parsed);
                took
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    };
    let parse = p50(Box::new(|| {
        Parsed::parse(&Sources::BUNDLED).expect("parse")
    }));
    let read = p50(Box::new(|| {
        let (parsed, r) = cache::load_or_parse(Some(dir.path()), &Sources::BUNDLED).expect("cache");
        assert!(r.from_cache);
        parsed
    }));
    let size = std::fs::metadata(dir.path().join(cache::FILE_NAME)).map_or(0, |m| m.len());
    println!(
        "code sets in process (p50): parsed from the official files {:.1} ms, read from the \
         cache ({:.1} MB) {:.1} ms: {:.1}x",
        ms(parse),
        size as f64 / 1e6,
        ms(read),
        parse.as_secs_f64() / read.as_secs_f64()
    );

    println!("\nA fresh process until the edits have checked the chart ({RUNS} runs each):");
    let (cached50, cached99, cached_cpu) = processes("cached", dir.path());
    let (parsed50, parsed99, parsed_cpu) = processes("parsed", dir.path());
    let (ws50, ws99, ws_cpu) = processes("workstation", dir.path());
    let row = |what: &str, p50: Duration, p99: Duration, cpu: u64| {
        println!(
            "  {what:<46} p50 {:>7.1} ms  p99 {:>7.1} ms  CPU {cpu:>4} ms",
            ms(p50),
            ms(p99)
        );
    };
    row(
        "code sets from the cache (ours)",
        cached50,
        cached99,
        cached_cpu,
    );
    row(
        "code sets parsed from XML/CSV (naive, before)",
        parsed50,
        parsed99,
        parsed_cpu,
    );
    println!(
        "  ratio (parsed / cached, p50): {:.1}x wall, {:.1}x CPU",
        parsed50.as_secs_f64() / cached50.as_secs_f64(),
        parsed_cpu as f64 / cached_cpu.max(1) as f64
    );
    row(
        "whole workstation load, search index too",
        ws50,
        ws99,
        ws_cpu,
    );
    println!(
        "\ntarget: edits ready <= {} ms after start: {} (p50 wall; load average now {})",
        TARGET.as_millis(),
        if cached50 <= TARGET { "met" } else { "MISSED" },
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split(' ')
            .next()
            .unwrap_or("?")
    );
}
