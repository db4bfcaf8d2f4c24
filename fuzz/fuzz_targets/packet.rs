//! The packet parser: never panics; a packet it reads prints to text that reads back the same.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        portcullis_engine::fuzzing::packet_round_trip(text);
    }
});
