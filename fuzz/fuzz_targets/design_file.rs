//! The design file reader (and the share link's JSON): never panics; a design it opens writes
//! back to a file that opens to the same design.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        portcullis_engine::fuzzing::design_file_round_trip(text);
    }
});
