//! The dump and script reader: never panics, and what it prints reads back to the same text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        portcullis_engine::fuzzing::import_round_trip(text);
    }
});
