//! Every input the fuzzers keep (`fuzz/corpus/<target>/`, minimised) and every crash they found
//! (`fuzz/regressions/<target>/`), replayed through the fuzz targets' own checks
//! (`portcullis_engine::fuzzing`), on the stable toolchain, in every test run.

use std::path::Path;

use portcullis_engine::fuzzing;

type Check = fn(&str);

const TARGETS: [(&str, Check); 4] = [
    ("import", fuzzing::import_round_trip),
    ("design_file", fuzzing::design_file_round_trip),
    ("survey", fuzzing::survey),
    ("packet", fuzzing::packet_round_trip),
];

fn replay(folder: &Path, check: Check) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else { return 0 };
    let mut replayed = 0;
    for entry in entries.flatten() {
        let bytes = std::fs::read(entry.path()).expect("a corpus file reads");
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let outcome = std::panic::catch_unwind(|| check(text));
            assert!(outcome.is_ok(), "{} fails its fuzz check", entry.path().display());
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn every_kept_input_and_every_crash_found_passes_its_check() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (target, check) in TARGETS {
        let kept = replay(&fuzz.join("corpus").join(target), check);
        replay(&fuzz.join("regressions").join(target), check);
        assert!(kept > 0, "no corpus for the {target} fuzzer in fuzz/corpus/{target} (make fuzz keeps one)");
    }
}
