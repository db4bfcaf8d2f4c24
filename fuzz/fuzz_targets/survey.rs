//! The server survey's readers: never panic; every diagnostic's span lies on the paste.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        portcullis_engine::fuzzing::survey(text);
    }
});
