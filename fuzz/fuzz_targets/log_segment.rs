#![no_main]
// Harness and checks: crates/convoy-fuzzing (log_segment).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::log_segment(data));
