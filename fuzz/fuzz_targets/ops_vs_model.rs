#![no_main]
// Harness and checks: crates/convoy-fuzzing (ops_vs_model).
libfuzzer_sys::fuzz_target!(|data: &[u8]| convoy_fuzzing::ops_vs_model(data));
