#![no_main]
// Harness and checks: crates/convoy-fuzzing (import_json).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::import_json(data));
