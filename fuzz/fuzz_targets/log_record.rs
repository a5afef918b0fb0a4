#![no_main]
// Harness and checks: crates/convoy-fuzzing (log_record).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::log_record(data));
