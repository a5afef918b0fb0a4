#![no_main]
// Harness and checks: crates/convoy-fuzzing (apply_ndjson).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::apply_ndjson(data));
