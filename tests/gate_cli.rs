//! `verify` and `publish`: the interface exists (flags, usage errors, help), and both fail
//! closed until sign-off lands (issue #5).

mod common;

use common::{releases, run, stderr, stdout};

#[test]
fn verify_and_publish_take_their_flags_and_say_they_are_not_yet_available() {
    let r = releases();
    let new = r.new.to_str().expect("UTF-8 path");
    let flags = [
        "--approval",
        "a.approval.json",
        "--allowed-signers",
        "allowed_signers",
        "--min-approvers",
        "2",
        "--forbid-approver",
        "author@example.com",
        "--forbid-approver",
        "bot@example.com",
        "--policy",
        "shipcheck.toml",
    ];
    let verify = run(&[&["verify", new][..], &flags].concat());
    let publish = run(&[
        &["publish", new][..],
        &flags,
        &["--", "npm", "publish", "--tag", "next"],
    ]
    .concat());
    for (what, o) in [("verify", &verify), ("publish", &publish)] {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(2), "{what} fails closed: {err}");
        assert!(o.stdout.is_empty(), "{what} prints nothing on stdout");
        assert_eq!(
            err.trim_end(),
            format!("shipcheck {what}: not yet available (tracked in issue #5)"),
            "{what}: one honest line"
        );
    }
    for what in ["verify", "publish"] {
        let o = run(&[what, new]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what} without --allowed-signers is a usage error"
        );
        assert!(stderr(&o).contains("--allowed-signers"), "{}", stderr(&o));
        let o = run(&[what, new, "--allowed-signers", "s", "--min-approvers", "0"]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{what}: --min-approvers 0 is refused"
        );
        assert!(stderr(&o).contains("--min-approvers"), "{}", stderr(&o));
        let help = stdout(&run(&[what, "--help"]));
        for flag in [
            "--approval",
            "--allowed-signers",
            "--min-approvers",
            "--forbid-approver",
            "--policy",
        ] {
            assert!(help.contains(flag), "{what} --help lists {flag}:\n{help}");
        }
    }
    assert!(
        stdout(&run(&["publish", "--help"])).contains("[-- <COMMAND>...]"),
        "publish takes the command after --"
    );
}
