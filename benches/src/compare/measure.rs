//! Timing: run a query over the shared starting points until an iteration
//! count or a time budget runs out (with a floor of samples), one clock
//! reading per call, then median and p99.

use std::time::{Duration, Instant};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::answer::Digest;
use super::spec::Point;

/// How long to measure one query on one system.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    /// Stop after this many timed calls…
    pub(crate) max_iters: usize,
    /// …or after this long, whichever comes first…
    pub(crate) max_time: Duration,
    /// …but never before this many.
    pub(crate) min_samples: usize,
    /// Untimed calls first (at most this many, and at most `warmup_time`).
    pub(crate) warmup_iters: usize,
    /// See `warmup_iters`.
    pub(crate) warmup_time: Duration,
}

impl Budget {
    /// The budget for an engine whose calls take microseconds.
    pub(crate) fn fast(scale: f64) -> Self {
        Self {
            max_iters: 200_000,
            max_time: Duration::from_secs_f64(1.5 * scale),
            min_samples: 20,
            warmup_iters: 2_000,
            warmup_time: Duration::from_secs_f64(0.2 * scale),
        }
    }

    /// The budget for SQL, whose calls can take up to a second at 1M tasks.
    pub(crate) fn slow(scale: f64) -> Self {
        Self {
            max_iters: 50_000,
            max_time: Duration::from_secs_f64(3.0 * scale),
            min_samples: 20,
            warmup_iters: 200,
            warmup_time: Duration::from_secs_f64(0.3 * scale),
        }
    }
}

/// How many per-call digests are kept to compare systems' timed answers.
pub(crate) const KEPT_DIGESTS: usize = 64;

/// The raw result of timing one query on one system.
#[derive(Clone, Debug)]
pub(crate) struct Samples {
    /// Nanoseconds per call, in call order.
    pub(crate) nanos: Vec<u64>,
    /// The answers of the first [`KEPT_DIGESTS`] timed calls (call `i` ran
    /// from point `i mod points`).
    pub(crate) digests: Vec<Digest>,
    /// Rows (items of part 0) over all timed calls.
    pub(crate) rows: u64,
}

/// Median, p99 and friends of one query on one system.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Stats {
    /// Timed calls.
    pub(crate) samples: usize,
    /// Median, µs.
    pub(crate) median_us: f64,
    /// 99th percentile (nearest rank), µs.
    pub(crate) p99_us: f64,
    /// Mean, µs.
    pub(crate) mean_us: f64,
    /// Fastest call, µs.
    pub(crate) min_us: f64,
    /// Mean rows (items of the answer's first part) per call.
    pub(crate) rows_per_call: f64,
}

/// Times `call` over `points` (call `i` from point `i mod len`) within
/// `budget`. Each call gets a fresh [`Digest`] to push its answer into.
///
/// # Errors
/// The first error `call` returns.
pub(crate) fn time<F>(points: &[Point], budget: &Budget, mut call: F) -> Result<Samples>
where
    F: FnMut(&Point, &mut Digest) -> Result<()>,
{
    let n = points.len().max(1);
    let at = |i: usize| points.get(i % n);
    let start = Instant::now();
    for i in 0..budget.warmup_iters.max(1) {
        if i > 0 && start.elapsed() >= budget.warmup_time {
            break;
        }
        if let Some(p) = at(i) {
            call(p, &mut Digest::new())?;
        }
    }
    let mut nanos = Vec::with_capacity(budget.max_iters.min(1 << 16));
    let mut digests = Vec::with_capacity(KEPT_DIGESTS);
    let mut rows = 0u64;
    let start = Instant::now();
    let mut i = 0;
    while i < budget.max_iters && (i < budget.min_samples || start.elapsed() < budget.max_time) {
        let Some(p) = at(i) else { break };
        let mut digest = Digest::new();
        let t = Instant::now();
        call(p, &mut digest)?;
        let took = t.elapsed();
        nanos.push(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
        rows += u64::from(digest.rows());
        if digests.len() < KEPT_DIGESTS {
            digests.push(digest);
        }
        i += 1;
    }
    Ok(Samples { nanos, digests, rows })
}

/// The `q`-quantile of sorted values, nearest rank.
fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarises nanosecond samples (and `rows` items over them).
pub(crate) fn stats(nanos: &[u64], rows: u64) -> Stats {
    let mut sorted = nanos.to_vec();
    sorted.sort_unstable();
    let us = |ns: u64| ns as f64 / 1_000.0;
    let n = sorted.len().max(1) as f64;
    Stats {
        samples: sorted.len(),
        median_us: us(quantile(&sorted, 0.5)),
        p99_us: us(quantile(&sorted, 0.99)),
        mean_us: sorted.iter().sum::<u64>() as f64 / n / 1_000.0,
        min_us: us(sorted.first().copied().unwrap_or(0)),
        rows_per_call: rows as f64 / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.99), 99);
        assert_eq!(quantile(&[7], 0.99), 7);
        let s = stats(&[3000, 1000, 2000], 6);
        assert!((s.median_us - 2.0).abs() < 1e-9);
        assert!((s.rows_per_call - 2.0).abs() < 1e-9);
    }
}
