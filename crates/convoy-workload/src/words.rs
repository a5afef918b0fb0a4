//! Word lists for realistic titles, descriptions and labels.

pub(crate) const VERBS: [&str; 12] = [
    "Implement",
    "Refactor",
    "Fix",
    "Document",
    "Test",
    "Design",
    "Review",
    "Migrate",
    "Optimise",
    "Add",
    "Remove",
    "Audit",
];
pub(crate) const THINGS: [&str; 12] = [
    "the login flow",
    "the billing service",
    "the search index",
    "the sync engine",
    "the onboarding wizard",
    "the audit log",
    "the rate limiter",
    "the export job",
    "the settings page",
    "the notification queue",
    "the permissions model",
    "the release pipeline",
];
pub(crate) const DETAILS: [&str; 8] = [
    "so that agents get consistent context",
    "before the next milestone review",
    "with tests for every edge case",
    "without breaking the public API",
    "and measure the latency before and after",
    "following the team's error-handling pattern",
    "for workspaces with many projects",
    "and update the runbook",
];
pub(crate) const LABELS: [&str; 12] =
    ["backend", "frontend", "bug", "infra", "security", "performance", "docs", "api", "ux", "data", "ops", "tech-debt"];
