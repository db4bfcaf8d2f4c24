//! The example designs in `examples/` stay in sync with the engine: each loads, saves back byte
//! for byte (so it is a current-version file as the engine writes it), compiles to rules that say
//! what its README line promises, and is listed in the README.

use std::path::PathBuf;

use portcullis_engine::design::{Design, ServiceId};
use portcullis_engine::export::save::render;
use portcullis_engine::model::Family;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Every `*.json` file of `examples/`, by name, with its text.
fn examples() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .map(|path| {
            let name = path.file_name().and_then(|name| name.to_str()).expect("UTF-8 name").to_owned();
            let text = std::fs::read_to_string(&path).expect("readable");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

fn example(name: &str) -> Design {
    let text = std::fs::read_to_string(examples_dir().join(name)).expect("the example exists");
    Design::from_json(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn every_example_loads_and_saves_back_byte_for_byte() {
    let files = examples();
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    for wanted in ["tutorial-web-mail.json", "web.json", "mail.json", "database.json", "bastion.json", "game-server.json", "docker-host.json"] {
        assert!(names.contains(&wanted), "examples/{wanted} is missing: {names:?}");
    }
    for (name, text) in &files {
        let design = Design::from_json(text).unwrap_or_else(|error| panic!("examples/{name} no longer loads: {error}"));
        assert_eq!(&design.to_json(), text, "examples/{name} no longer round-trips: re-check it by hand");
    }
}

#[test]
fn the_readme_lists_every_example() {
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md")).expect("README");
    for (name, _) in examples() {
        assert!(readme.contains(&format!("`examples/{name}`")), "README does not list examples/{name}");
    }
}

#[test]
fn the_examples_open_what_they_promise() {
    let tutorial = render(&example("tutorial-web-mail.json").compile(Family::V4));
    assert!(tutorial.contains("-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 "), "{tutorial}");
    assert_eq!(tutorial.matches("--dport 22 -m comment").count(), 1, "SSH only from the office: {tutorial}");
    for port in [80, 443, 25, 465, 587, 110, 995, 143, 993] {
        assert!(tutorial.contains(&format!("-A INPUT -p tcp -m tcp --dport {port} -m comment")), "{port}: {tutorial}");
    }
    // The database answers only its app servers: a range on IPv4, a network on IPv6.
    let database = example("database.json");
    let (v4, v6) = (render(&database.compile(Family::V4)), render(&database.compile(Family::V6)));
    assert!(v4.contains("-A INPUT -p tcp -m iprange --src-range 198.51.100.10-198.51.100.20 -m tcp --dport 3306 "), "{v4}");
    assert!(v6.contains("-A INPUT -s 2001:db8:10::/64 -p tcp -m tcp --dport 5432 "), "{v6}");
    assert_eq!(v4.matches("--dport 3306").count(), 1, "{v4}");
    assert!(v4.contains(":OUTPUT DROP"), "restricted output: {v4}");
    // The bastion's admins reach SSH over IPv6 from an address, a network and a range.
    let bastion = render(&example("bastion.json").compile(Family::V6));
    for source in ["-s 2001:db8:1::7/128 -p tcp", "-s 2001:db8:1:100::/56 -p tcp", "-p tcp -m iprange --src-range 2001:db8:3::20-2001:db8:3::2f"] {
        assert!(bastion.contains(&format!("{source} -m tcp --dport 22 ")), "{source}: {bastion}");
    }
    assert!(example("web.json").access(ServiceId::find("node-exporter").expect("catalogue")).is_some());
    // The Docker host's published ports 8080 and 9000-9001 answer the office only, in both
    // families, in Docker's DOCKER-USER chain (INPUT opens only SSH, HTTP and HTTPS).
    let docker = example("docker-host.json");
    let (v4, v6) = (render(&docker.compile(Family::V4)), render(&docker.compile(Family::V6)));
    assert!(v4.contains("-A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL "), "{v4}");
    assert!(v6.contains("-A DOCKER-USER -s 2001:db8:1::/64 -o br-+ -p tcp -m conntrack --ctstate DNAT --ctorigdstport 9000:9001 --ctdir ORIGINAL "), "{v6}");
    assert!(!v4.contains("--dport 8080") && !v4.contains("-j DOCKER-USER"), "{v4}");
}
