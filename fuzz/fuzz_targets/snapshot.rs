#![no_main]
// Harness and checks: crates/convoy-fuzzing (snapshot).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::snapshot(data));
