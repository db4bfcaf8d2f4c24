//! `portcullis simulate`, run as a user would.

use std::io::Write as _;
use std::process::{Command, Stdio};

const RULES: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
    -A INPUT -i lo -j ACCEPT\n\
    -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
    -A INPUT -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name SSH -j DROP\n\
    -A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 -j ACCEPT\n\
    COMMIT\n";

fn write(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("portcullis-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn run(args: &[&str], stdin: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let output = child.wait_with_output().expect("wait");
    (output.status.code(), String::from_utf8(output.stdout).expect("UTF-8 output"), String::from_utf8(output.stderr).expect("UTF-8 errors"))
}

#[test]
fn one_packet_shows_the_trace_and_the_deciding_rule() {
    let rules = write("rules.v4", RULES);
    let packet = "tcp 198.51.100.9:51000 -> 192.0.2.1:80 in eth0 syn new";
    let (code, out, err) = run(&["simulate", rules.to_str().unwrap(), "--packet", packet, "--format", "json"], "");
    assert_eq!(code, Some(0), "{err}");
    let result: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(result["verdict"], "DROP");
    assert_eq!(result["rule"], serde_json::Value::Null, "the policy decided: {out}");
    assert_eq!(result["trace"].as_array().map(Vec::len), Some(5), "four rules and the policy: {out}");
    assert_eq!(result["trace"][0]["result"], "not-matched");
    assert_eq!(result["trace"][0]["on"], "-i");
}

#[test]
fn an_uncertain_match_gives_maybe_and_both_outcomes() {
    let rules = write("rules-maybe.v4", RULES);
    let packet = "tcp 203.0.113.7:51000 -> 192.0.2.1:22 in eth0 syn new";
    let (code, out, _) = run(&["simulate", rules.to_str().unwrap(), "--packet", packet, "--format", "json"], "");
    assert_eq!(code, Some(0));
    let result: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(result["verdict"], "MAYBE");
    let outcomes = result["outcomes"].as_array().expect("outcomes");
    let verdicts: Vec<&str> = outcomes.iter().filter_map(|outcome| outcome["verdict"].as_str()).collect();
    assert_eq!(verdicts, ["ACCEPT", "DROP"]);
    assert_eq!(outcomes[0]["rule"]["line"], 8, "{out}");
    assert_eq!(outcomes[1]["rule"]["index"], 3, "{out}");
    let (_, text, _) = run(&["simulate", rules.to_str().unwrap(), "--packet", packet], "");
    assert!(text.contains("may match (-m recent"), "{text}");
    assert!(text.contains("verdict: ACCEPT by filter INPUT rule 4 (line 8)"), "{text}");
}

#[test]
fn a_batch_gives_one_json_line_per_packet() {
    let rules = write("rules-batch.v4", RULES);
    let packets = concat!(
        r#"{"src":"203.0.113.9","dst":"192.0.2.1","dport":443}"#, "\n",
        r#"{"src":"203.0.113.9","dst":"192.0.2.1","dport":443,"state":"established"}"#, "\n",
        r#"{"src":"127.0.0.1","dst":"127.0.0.1","in":"lo","proto":"udp","dport":53}"#, "\n",
    );
    let (code, out, err) = run(&["simulate", rules.to_str().unwrap(), "--packets", "-"], packets);
    assert_eq!(code, Some(0), "{err}");
    let results: Vec<serde_json::Value> = out.lines().map(|line| serde_json::from_str(line).expect("JSON line")).collect();
    let verdicts: Vec<&str> = results.iter().filter_map(|result| result["verdict"].as_str()).collect();
    assert_eq!(verdicts, ["DROP", "ACCEPT", "ACCEPT"]);
    assert_eq!(results[1]["rule"]["index"], 2);
}

#[test]
fn a_batch_without_traces_gives_the_same_results() {
    let rules = write("rules-fast.v4", RULES);
    let packets = concat!(
        r#"{"src":"203.0.113.9","dst":"192.0.2.1","dport":443}"#, "\n",
        r#"{"src":"203.0.113.7","dst":"192.0.2.1","dport":22,"flags":"SYN"}"#, "\n",
        r#"{"src":"203.0.113.9","dst":"192.0.2.1","dport":22,"flags":"SYN"}"#, "\n",
        r#"{"src":"203.0.113.9","dst":"192.0.2.1","dport":443,"state":"established"}"#, "\n",
        r#"{"src":"127.0.0.1","dst":"127.0.0.1","in":"lo","proto":"udp","dport":53}"#, "\n",
        r#"{"src":"2001:db8::7","dst":"2001:db8::1","dport":22}"#, "\n",
    );
    let (code, traced, err) = run(&["simulate", rules.to_str().unwrap(), "--packets", "-"], packets);
    assert_eq!(code, Some(0), "{err}");
    let (code, fast, err) = run(&["simulate", rules.to_str().unwrap(), "--packets", "-", "--no-trace"], packets);
    assert_eq!(code, Some(0), "{err}");
    let traced: Vec<serde_json::Value> = traced.lines().map(|line| serde_json::from_str(line).expect("JSON line")).collect();
    let fast: Vec<serde_json::Value> = fast.lines().map(|line| serde_json::from_str(line).expect("JSON line")).collect();
    assert_eq!(traced.len(), 6);
    assert!(fast.iter().all(|line| line.get("trace").is_none()), "{fast:?}");
    let verdicts: Vec<&str> = fast.iter().filter_map(|result| result["verdict"].as_str()).collect();
    // The third forks at the `recent` match, and both ways end in DROP.
    assert_eq!(verdicts, ["DROP", "MAYBE", "DROP", "ACCEPT", "ACCEPT", "ACCEPT"]);
    for (mut full, quick) in traced.into_iter().zip(fast) {
        full.as_object_mut().expect("an object").remove("trace");
        assert_eq!(full, quick);
    }
}

#[test]
fn a_design_file_is_simulated_in_both_families() {
    let packet = "tcp [2001:db8::7]:40000 -> [2001:db8::1]:22 syn";
    // With the default SSH limit the admin's connection may be dropped (if it is the fifth in a minute).
    let limited = write("limited.json", r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7","2001:db8::7"]}]}"#);
    let (_, out, err) = run(&["simulate", limited.to_str().unwrap(), "--packet", packet, "--format", "json"], "");
    let result: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    assert_eq!(result["verdict"], "MAYBE");
    let design = write(
        "design.json",
        r#"{"version":3,"services":[{"service":"ssh","sources":["203.0.113.7","2001:db8::7"]}],"protections":{"ssh_limit":null}}"#,
    );
    let path = design.to_str().unwrap();
    let (_, out, err) = run(&["simulate", path, "--packet", packet, "--format", "json"], "");
    let result: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    assert_eq!(result["verdict"], "ACCEPT");
    let (_, out, _) = run(&["simulate", path, "--packet", "tcp [2001:db8::8]:40000 -> [2001:db8::1]:22 syn", "--format", "json"], "");
    let result: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(result["verdict"], "DROP");
}

#[test]
fn bad_input_is_a_clear_error() {
    let rules = write("rules-bad.v4", RULES);
    let (code, _, err) = run(&["simulate", rules.to_str().unwrap(), "--packet", "tcp 203.0.113.7 -> 2001:db8::1"], "");
    assert_eq!(code, Some(2));
    assert!(err.contains("different families"), "{err}");
    let (code, _, err) = run(&["simulate", rules.to_str().unwrap(), "--packets", "-"], "{\"src\":\"x\",\"dst\":\"192.0.2.1\"}\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("line 1") && err.contains("not an IP address"), "{err}");
    let broken = write("broken.v4", "*filter\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n");
    let (code, _, err) = run(&["simulate", broken.to_str().unwrap(), "--packet", "udp 203.0.113.7 -> 192.0.2.1:53"], "");
    assert_eq!(code, Some(1));
    assert!(err.contains("has errors"), "{err}");
}

#[test]
fn a_conversation_shows_where_the_reply_dies() {
    let rules = write("no-established.v4", "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    let query = "udp 192.0.2.1:40000 -> 198.51.100.53:53 out eth0";
    let (code, out, err) = run(&["simulate", rules.to_str().unwrap(), "--packet", query, "--conversation"], "");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("== request") && out.contains("== reply"), "{out}");
    assert!(out.contains("verdict: DROP by the filter INPUT policy"), "{out}");
    assert!(out.ends_with("the conversation breaks here\n"), "{out}");
    let (_, out, _) = run(&["simulate", rules.to_str().unwrap(), "--packet", query, "--conversation", "--format", "json"], "");
    let exchanges: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(exchanges[1]["label"], "reply");
    assert_eq!(exchanges[1]["packet"], "udp 198.51.100.53:53 -> 192.0.2.1:40000 in eth0 established");
}

#[test]
fn a_batch_takes_ece_and_cwr_and_answers_every_good_line_past_a_bad_one() {
    let rules = write("rules-batch.v4", RULES);
    let packets = "{\"src\":\"203.0.113.7\",\"dst\":\"192.0.2.1\",\"proto\":\"tcp\",\"dport\":80,\"flags\":\"SYN,ECE,CWR\",\"in\":\"eth0\"}\n\
        not a packet\n\
        {\"src\":\"198.51.100.9\",\"dst\":\"192.0.2.1\",\"proto\":\"tcp\",\"dport\":22,\"flags\":\"ACK,ECE\",\"state\":\"established\",\"in\":\"eth0\"}\n";
    let (code, out, err) = run(&["simulate", rules.to_str().unwrap(), "--packets", "-", "--no-trace"], packets);
    assert_eq!(code, Some(1), "a bad line fails the run: {err}");
    assert!(err.contains("line 2:"), "the bad line is named by its number: {err}");
    let verdicts: Vec<String> = out.lines().map(|line| serde_json::from_str::<serde_json::Value>(line).expect("JSON line")["verdict"].to_string()).collect();
    assert_eq!(verdicts, ["\"DROP\"", "\"ACCEPT\""], "{out}");
}
