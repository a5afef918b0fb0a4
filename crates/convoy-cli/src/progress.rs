//! Progress on a terminal (indicatif) for anything that can take more than
//! a second; silent when standard error is not a terminal.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress may be drawn: only on a terminal.
fn visible() -> bool {
    std::io::stderr().is_terminal()
}

/// A spinner with `message`, ticking on its own; hidden off a terminal.
pub(crate) fn spinner(message: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(message.to_string());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// A bar counting `len` units of `what`; hidden off a terminal.
pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_message(what.to_string());
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
