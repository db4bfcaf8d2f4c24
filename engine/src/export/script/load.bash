#!/bin/bash
# portcullis-load: loads the chains Portcullis owns beside every other tool's rules.
#
#   portcullis-load [--test | --print] 4|6 FILE
#
# FILE is an owned-chains file written by Portcullis (iptables-save format: built-in chains that
# hold only hooks `-A INPUT -j PORTCULLIS-INPUT`, the PORTCULLIS-… chains, and anchors such as
# Docker's DOCKER-USER). From it and the rules loaded now (iptables-save), one transaction is
# built and loaded with iptables-restore --noflush, so it applies entirely or not at all:
#  - every PORTCULLIS-… chain of FILE is created, or flushed and refilled;
#  - PORTCULLIS-… chains FILE no longer has are flushed and deleted, with their hooks;
#  - each hook is inserted after the last rule of another tool in its built-in chain (a jump into
#    another tool's chain, e.g. fail2ban's f2b-sshd, or a rule on a Docker or libvirt bridge), so
#    those rules still see packets first; or at the top of an anchor chain (DOCKER-USER), which is
#    created when missing;
#  - rules an earlier Portcullis loaded straight into built-in chains (commented `portcullis: `)
#    are deleted;
#  - each built-in chain gets FILE's policy;
#  - nothing else is touched: other tools' chains, rules and hooks stay exactly as they are.
# --print writes the transaction instead of loading it; --test only checks it
# (iptables-restore --test). Lines starting with `# plan:` say what it changes, in words.
set -euo pipefail
export LC_ALL=C

die() { printf 'portcullis-load: error: %s\n' "$*" >&2; exit 1; }

mode=load
case ${1:-} in
    --test | --print) mode=${1#--}; shift ;;
esac
[ $# -eq 2 ] || { echo "usage: portcullis-load [--test | --print] 4|6 FILE" >&2; exit 2; }
case $1 in
    4) save=iptables-save restore=iptables-restore ;;
    6) save=ip6tables-save restore=ip6tables-restore ;;
    *) echo "usage: portcullis-load [--test | --print] 4|6 FILE" >&2; exit 2 ;;
esac
file=$2
[ -r "$file" ] || die "cannot read $file"

# The transaction for the rules loaded now (standard input) and FILE.
transaction() {
    awk '
        function owned(name) { return substr(name, 1, 11) == "PORTCULLIS-" }
        function builtin(name) { return name ~ /^(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING)$/ }
        # The chain a rule jumps or goes to, when it is a user chain of its table ("" otherwise).
        function jumps_to(t, rule,   word) {
            if (match(rule, / -[jg] [^ ]+$/) == 0) return ""
            word = substr(rule, RSTART + 4)
            return ((t, word) in now_chain) ? word : ""
        }
        function foreign(t, rule,   to) {
            to = jumps_to(t, rule)
            if (to != "" && !owned(to)) return 1
            return rule ~ / (! )?-[io] (docker0|docker_gwbridge|br-[^ ]*|virbr[^ ]*)( |$)/
        }
        FNR == 1 { part++ }
        /^\*/ {
            t = substr($0, 2)
            if (!(t in seen_table)) { seen_table[t] = 1; tables[++table_count] = t }
            if (part == 2) file_table[t] = 1
            next
        }
        /^:/ {
            c = substr($1, 2)
            if (part == 1) { now_chain[t, c] = 1; now_policy[t, c] = $2; now_chains[t, ++now_count[t]] = c }
            else { file_chain[t, c] = 1; file_policy[t, c] = $2; file_chains[t, ++file_count[t]] = c }
            next
        }
        /^-A / {
            if (part == 1) { now_rules[t, $2, ++now_rule_count[t, $2]] = $0 }
            else { file_rules[t, ++file_rule_count[t]] = $0 }
            next
        }
        END {
            for (n = 1; n <= table_count; n++) {
                t = tables[n]
                stale_count = 0
                for (i = 1; i <= now_count[t]; i++) {
                    c = now_chains[t, i]
                    if (owned(c) && !((t, c) in file_chain)) stale[++stale_count] = c
                }
                if (!(t in file_table) && stale_count == 0) continue
                print "*" t
                for (i = 1; i <= file_count[t]; i++) {
                    c = file_chains[t, i]
                    if (owned(c)) print ":" c " - [0:0]"
                    else if (file_policy[t, c] == "-" && !((t, c) in now_chain)) {
                        print ":" c " - [0:0]"
                        print "# plan: " t ": creates " c " (empty until its tool fills it) to hook into it"
                    }
                }
                for (i = 1; i <= stale_count; i++) {
                    print ":" stale[i] " - [0:0]"
                    print "# plan: " t ": deletes " stale[i] ", which this design no longer has"
                }
                # Our hooks and the rules an earlier Portcullis put in built-in chains go first.
                for (i = 1; i <= now_count[t]; i++) {
                    c = now_chains[t, i]
                    if (owned(c)) continue
                    for (r = 1; r <= now_rule_count[t, c]; r++) {
                        rule = now_rules[t, c, r]
                        if (owned(jumps_to(t, rule)) || (builtin(c) && index(rule, "--comment \"portcullis: ") > 0)) {
                            print "-D" substr(rule, 3)
                            gone[t, c, r] = 1
                            if (!owned(jumps_to(t, rule))) print "# plan: " t ": deletes a rule an earlier Portcullis put in " c ": " substr(rule, 4)
                        }
                    }
                }
                for (i = 1; i <= file_count[t]; i++) {
                    c = file_chains[t, i]
                    p = file_policy[t, c]
                    if (p == "-" || owned(c)) continue
                    print "-P " c " " p
                    if ((t, c) in now_policy && now_policy[t, c] != p) {
                        print "# plan: " t ": " c " policy " now_policy[t, c] " -> " p
                    }
                }
                for (i = 1; i <= file_rule_count[t]; i++) {
                    rule = file_rules[t, i]
                    split(rule, word, " ")
                    c = word[2]
                    if (owned(c)) { print rule; continue }
                    position = 1
                    kept = 0
                    others = 0
                    if (builtin(c)) {
                        for (r = 1; r <= now_rule_count[t, c]; r++) {
                            if ((t, c, r) in gone) continue
                            kept++
                            if (foreign(t, now_rules[t, c, r])) { position = kept + 1; others++ }
                        }
                    }
                    print "-I " c " " position substr(rule, length(c) + 4)
                    where = (position == 1) ? "first" : "after the " others " rule(s) of other tools"
                    print "# plan: " t ": " c " jumps to" substr(rule, length(c) + 7) " " where
                    if (kept - position + 1 > 0) {
                        print "# plan: " t ": " c " keeps " (kept - position + 1) " rule(s) no known tool owns after that jump (an earlier firewall?): they see only what Portcullis passes on"
                    }
                }
                for (i = 1; i <= stale_count; i++) print "-X " stale[i]
                print "COMMIT"
            }
        }
    ' - "$file"
}

# Another tool may change its rules between the save and the restore; the restore then refuses
# the whole transaction (a deleted rule is gone, say), and it is built again.
for attempt in 1 2 3; do
    current=$("$save") || die "$save failed"
    text=$(printf '%s\n' "$current" | transaction) || die "cannot read $file"
    case $mode in
        print) printf '%s\n' "$text"; exit 0 ;;
        test) printf '%s\n' "$text" | "$restore" --noflush --test && exit 0 ;;
        load) printf '%s\n' "$text" | "$restore" --noflush && exit 0 ;;
    esac
    [ "$attempt" = 3 ] || sleep 1
done
die "$restore --noflush refused the rules of $file three times; nothing was changed"
