//! Helpers the benchmarks share.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// p50 and p99 of `f`, run up to `runs` times (at least 5, then for at most
/// 10 s), after one warm-up run.
pub fn percentiles(mut f: impl FnMut(), runs: usize) -> (Duration, Duration) {
    f();
    let mut times = Vec::with_capacity(runs);
    let budget = Instant::now();
    while times.len() < runs && (times.len() < 5 || budget.elapsed() < Duration::from_secs(10)) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}
