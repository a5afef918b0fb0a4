#![no_main]
// Harness and checks: crates/convoy-fuzzing (crash_recover).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::crash_recover(data));
