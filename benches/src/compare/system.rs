//! What machine the run is on, read from `/proc` (best effort: fields it
//! cannot read stay empty).

use std::path::Path;

use super::report::Machine;

/// A `/proc` file's text, or nothing.
fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The file system type of the mount holding `path` (the longest mount
/// point that is a prefix of it).
fn filesystem(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    read("/proc/mounts")
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_, mount, kind) = (f.next()?, f.next()?, f.next()?);
            path.starts_with(mount).then(|| (mount.len(), kind.to_owned()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, kind)| kind)
        .unwrap_or_default()
}

/// This machine, with the file system of `work`.
pub(super) fn machine(work: &Path) -> Machine {
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let memory = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024);
    Machine {
        cpu,
        cpus: std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        memory,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        filesystem: filesystem(work),
        load_start: load_average(),
        load_end: String::new(),
    }
}

/// The 1-, 5- and 15-minute load averages.
pub(super) fn load_average() -> String {
    read("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}
