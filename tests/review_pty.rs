//! End-to-end: the real binary in a pseudo-terminal, its output fed to a vt100 emulator.
//!
//! These tests check what a reviewer's terminal would show and that nothing from a hostile
//! package reaches the terminal as a control sequence (title, clipboard, screen clearing).

mod common;

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fixtures;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// Records the terminal requests a package must never be able to make.
#[derive(Default)]
struct Recorder {
    titles: Vec<Vec<u8>>,
    clipboard: Vec<Vec<u8>>,
}

impl vt100::Callbacks for Recorder {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.titles.push(name.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.clipboard.push(data.to_vec());
    }
}

type Screen = Arc<Mutex<vt100::Parser<Recorder>>>;

/// How long a test waits for a screen, a file or an exit before it fails: generous, because
/// a loaded 2-core machine (a parallel build, the other test binaries) can stall the app for
/// seconds. A test that passes never waits this long; it only bounds a failure.
const PATIENCE: Duration = Duration::from_secs(90);

struct Session {
    screen: Screen,
    master: Box<dyn portable_pty::MasterPty + Send>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Session {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_shipcheck"));
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn shipcheck");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let screen: Screen = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            24,
            80,
            0,
            Recorder::default(),
        )));
        let sink = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("parser lock").process(&buf[..n]);
            }
        });
        Session {
            screen,
            master: pty.master,
            writer,
            child,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().expect("parser lock").screen().contents()
    }

    /// Waits until the screen holds `text`; fails with the screen if it never does.
    fn wait_for(&self, text: &str) -> String {
        self.wait_for_all(&[text])
    }

    /// Waits until the screen holds every one of `texts` at once (a frame arrives in pieces).
    fn wait_for_all(&self, texts: &[&str]) -> String {
        let text = texts.join(" + ");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let s = self.contents();
            if texts.iter().all(|t| s.contains(t)) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Resizes the terminal, as a window manager would, and the emulator with it.
    fn resize(&mut self, rows: u16, cols: u16) {
        self.screen
            .lock()
            .expect("parser lock")
            .screen_mut()
            .set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Row `row` of the screen as text.
    fn row(&self, row: u16) -> String {
        let parser = self.screen.lock().expect("parser lock");
        let (_, cols) = parser.screen().size();
        parser
            .screen()
            .rows(0, cols)
            .nth(usize::from(row))
            .unwrap_or_default()
    }

    /// Resizes to `rows`×`cols` and waits until the bottom row holds `footer`. A loaded machine
    /// can deliver the window change before the app listens for it, so when the new frame has
    /// not come after a few seconds the size is nudged (one column off, then back), which sends
    /// the app another SIGWINCH; gives up after [`PATIENCE`].
    fn resize_until(&mut self, rows: u16, cols: u16, footer: &str) {
        let deadline = Instant::now() + PATIENCE;
        let mut nudge = Instant::now() + Duration::from_secs(3);
        self.resize(rows, cols);
        loop {
            if self.row(rows - 1).contains(footer) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "row {} never showed {footer:?} after resizing to {rows}x{cols}; screen:\n{}",
                rows - 1,
                self.contents()
            );
            if Instant::now() > nudge {
                self.resize(rows, cols + 1);
                std::thread::sleep(Duration::from_millis(100));
                self.resize(rows, cols);
                nudge = Instant::now() + Duration::from_secs(3);
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits until row `row` of the screen holds `text`.
    fn wait_for_row(&self, row: u16, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if self.row(row).contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "row {row} never showed {text:?}; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Waits for the process to end and returns whether it succeeded.
    fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                std::thread::sleep(Duration::from_millis(100));
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("shipcheck did not exit; screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

#[test]
fn review_shows_the_leak_and_q_exits_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::write(dir.path(), "demo-cli-1.0.0.tgz", &fixtures::demo_clean());
    fixtures::write(dir.path(), "demo-cli-1.1.0.tgz", &fixtures::demo_leaky());
    let mut s = Session::start(
        dir.path(),
        &[
            "review",
            "demo-cli-1.1.0.tgz",
            "--baseline",
            "demo-cli-1.0.0.tgz",
        ],
        &[],
    );
    let screen = s.wait_for_all(&[
        "demo-cli@1.1.0",
        "vs demo-cli@1.0.0",
        "cli.js.map",
        "CHANGELOG.md",
    ]);
    assert!(
        screen.contains("vs demo-cli@1.0.0"),
        "the baseline is named:\n{screen}"
    );
    assert!(
        screen.contains("cli.js.map"),
        "the tree lists the map:\n{screen}"
    );
    assert!(
        screen.contains("CHANGELOG.md"),
        "the removed file is shown in place:\n{screen}"
    );
    assert!(
        s.screen.lock().expect("lock").screen().alternate_screen(),
        "drawn on the alternate screen"
    );
    s.send("/token\r");
    let screen = s.wait_for("GITHUB_TOKEN");
    assert!(
        screen.contains("token.ts"),
        "the embedded source is selected and previewed:\n{screen}"
    );
    s.send("S");
    // The dialog's own footer too: the frame arrives in pieces, and until the footer row is
    // redrawn the browse hints' "S sign" below would be found before Esc was even read.
    s.wait_for_all(&[
        "Sign-off refused",
        "flagged file not opened yet: .env",
        "Esc cancel x reject",
    ]);
    // Esc alone (sent with the next key it would read as Alt-?): the footer's browse hints
    // come back once the dialog is closed.
    s.send("\x1b");
    s.wait_for("S sign");
    s.send("?");
    s.wait_for("? Esc q close");
    s.send("q");
    s.wait_for("S sign");
    s.send("q");
    assert!(s.wait_exit(), "q exits with status 0");
    let parser = s.screen.lock().expect("lock");
    assert!(
        !parser.screen().alternate_screen(),
        "the alternate screen is left on exit"
    );
    assert_eq!(
        parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting is turned off again"
    );
    assert!(!parser.screen().hide_cursor(), "the cursor is shown again");
}

#[test]
fn hostile_names_and_contents_are_shown_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::write(dir.path(), "evil.tgz", &fixtures::hostile());
    let mut s = Session::start(dir.path(), &["review", "evil.tgz"], &[]);
    // Each piece must show up as text; waiting for all of them proves the whole frame arrived.
    let screen = s.wait_for_all(&[
        "evil@6.6.6",
        "end of evil",
        "^[[2J^[[Hcleared?",
        "^[]52;c;cHduZWQ=^Gclipboard?",
        "^[]0;pwned^Gtitle?",
        "abc\\u{202e}txt.exe",
        "evil^[[2J",
    ]);
    assert!(
        screen.contains("^[[2J^[[Hcleared?"),
        "clear-screen shown as text:\n{screen}"
    );
    assert!(
        screen.contains("^[]52;c;cHduZWQ=^Gclipboard?"),
        "OSC 52 shown as text:\n{screen}"
    );
    assert!(
        screen.contains("^[]0;pwned^Gtitle?"),
        "title change shown as text:\n{screen}"
    );
    assert!(
        screen.contains("abc\\u{202e}txt.exe"),
        "bidi override shown as text:\n{screen}"
    );
    assert!(
        screen.contains("evil^[[2J"),
        "the hostile file name is escaped in the tree:\n{screen}"
    );
    assert!(
        screen.contains("evil@6.6.6"),
        "the header survived: nothing cleared the screen"
    );
    s.send("q");
    assert!(s.wait_exit(), "q exits with status 0");
    let parser = s.screen.lock().expect("lock");
    let rec = parser.callbacks();
    assert!(
        rec.titles
            .iter()
            .all(|t| !t.windows(5).any(|w| w == b"pwned")),
        "the title was never set to pwned: {:?}",
        rec.titles
    );
    assert!(
        rec.clipboard.is_empty(),
        "nothing was written to the clipboard: {:?}",
        rec.clipboard
    );
}

#[test]
fn a_panic_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::write(dir.path(), "demo.tgz", &fixtures::demo_clean());
    let mut s = Session::start(
        dir.path(),
        &["review", "demo.tgz"],
        &[
            ("SHIPCHECK_DEBUG_PANIC_ON_KEY", "1"),
            ("RUST_BACKTRACE", "0"),
        ],
    );
    s.wait_for_all(&["demo-cli@1.0.0", "q quit"]);
    s.send("j");
    assert!(!s.wait_exit(), "a panic is a failure exit");
    let screen = s.wait_for("panic requested by SHIPCHECK_DEBUG_PANIC_ON_KEY");
    let parser = s.screen.lock().expect("lock");
    assert!(
        !parser.screen().alternate_screen(),
        "the alternate screen is left after a panic:\n{screen}"
    );
    assert_eq!(
        parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting is off after a panic"
    );
    assert!(
        !parser.screen().hide_cursor(),
        "the cursor is back after a panic"
    );
}

#[test]
fn the_screen_follows_a_resize() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::write(dir.path(), "demo.tgz", &fixtures::demo_clean());
    let mut s = Session::start(dir.path(), &["review", "demo.tgz"], &[]);
    s.wait_for_row(23, "q quit");
    s.resize_until(30, 100, "q quit");
    s.resize_until(24, 80, "q quit");
    s.send("q");
    assert!(s.wait_exit(), "q exits with status 0 after resizes");
}

#[test]
fn no_color_draws_without_colours() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::write(dir.path(), "demo.tgz", &fixtures::demo_leaky());
    let mut s = Session::start(dir.path(), &["review", "demo.tgz"], &[("NO_COLOR", "1")]);
    s.wait_for_all(&["demo-cli@1.1.0", "flagged files viewed", "q quit"]);
    {
        let parser = s.screen.lock().expect("lock");
        let screen = parser.screen();
        for row in 0..24 {
            for col in 0..80 {
                let cell = screen.cell(row, col).expect("cell in range");
                assert_eq!(
                    cell.fgcolor(),
                    vt100::Color::Default,
                    "cell {row},{col} has a colour under NO_COLOR"
                );
                assert_eq!(
                    cell.bgcolor(),
                    vt100::Color::Default,
                    "cell {row},{col} has a background under NO_COLOR"
                );
            }
        }
    }
    s.send("q");
    assert!(s.wait_exit());
}

#[test]
fn without_a_terminal_review_fails_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = fixtures::write(dir.path(), "demo.tgz", &fixtures::demo_clean());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .arg("review")
        .arg(&p)
        .output()
        .expect("run shipcheck");
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit 2 when stdout is not a terminal"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "a clear error: {err}");
    assert!(out.stdout.is_empty(), "nothing is drawn into a pipe");
}

#[test]
fn a_missing_key_file_is_an_error_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = fixtures::write(dir.path(), "demo.tgz", &fixtures::demo_clean());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .arg("review")
        .arg(&p)
        .args(["--key", "/nonexistent"])
        .output()
        .expect("run shipcheck");
    assert_eq!(out.status.code(), Some(2), "a missing --key is exit 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("/nonexistent") && !err.contains("needs a terminal"),
        "it names the file, before anything else is tried: {err}"
    );
}

/// A key made by `ssh-keygen` (ed25519, `passphrase` "" for none); `None` without OpenSSH.
fn keygen(dir: &Path, name: &str, passphrase: &str) -> Option<std::path::PathBuf> {
    let path = dir.join(name);
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .status();
    if status.is_ok_and(|s| s.success()) {
        Some(path)
    } else {
        // Straight to the stream: libtest captures `eprintln!` of a passing test, and a skip
        // must show in plain `cargo test` output.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("note: ssh-keygen not found; skipping the sign-off end-to-end test\n"),
        );
        None
    }
}

/// Checks a bundle line with `ssh-keygen -Y verify` (no shipcheck code in the loop but the
/// envelope's decoding): the PAE bytes on stdin, the armored signature in a file.
fn ssh_keygen_verifies(dir: &Path, line: &[u8], signers: &Path, principal: &str) -> bool {
    use shipcheck::approval::{Envelope, NAMESPACE, PAYLOAD_TYPE, pae, sshsig};
    let envelope = Envelope::from_line(line).expect("an envelope");
    let message = pae(PAYLOAD_TYPE, &envelope.payload_bytes().expect("payload"));
    let sig = dir.join("line.sig");
    std::fs::write(
        &sig,
        sshsig::armor(&envelope.signature_blob().expect("sig")),
    )
    .expect("sig");
    std::fs::write(dir.join("line.pae"), message).expect("pae");
    std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", NAMESPACE, "-I", principal, "-f"])
        .arg(signers)
        .arg("-s")
        .arg(&sig)
        .stdin(std::fs::File::open(dir.join("line.pae")).expect("pae file"))
        .output()
        .expect("ssh-keygen runs")
        .status
        .success()
}

/// One reviewer's keys through the sign-off: open the flagged `.env`, `S`, a waiver,
/// `name@version`, and the passphrase when there is one; `cancel` presses Esc at the last
/// step instead of completing it.
fn sign_off(dir: &Path, key: &Path, reviewer: &str, passphrase: Option<&str>, cancel: bool) {
    let key = key.to_str().expect("utf-8 key path");
    let home = dir.to_str().expect("utf-8 dir");
    let mut s = Session::start(
        dir,
        &[
            "review",
            "app-1.0.0.tgz",
            "--key",
            key,
            "--reviewer",
            reviewer,
        ],
        // No agent and no home keys: the key is the one named.
        &[("SSH_AUTH_SOCK", ""), ("HOME", home)],
    );
    s.wait_for_all(&["app@1.0.0", "1H", "q quit"]);
    s.send("/.env\r");
    s.wait_for("/.env ─");
    s.send("\r");
    s.wait_for("flagged files viewed 1/1");
    s.send("S");
    s.wait_for("must each be waived");
    s.send("\r");
    s.wait_for("Why is this safe to ship?");
    s.send("a template with no values\r");
    s.wait_for("Type app@1.0.0 to approve");
    s.send("app@1.0.0");
    if let Some(p) = passphrase {
        s.send("\r");
        s.wait_for("Passphrase for");
        s.send(p);
        s.wait_for("•••");
    }
    if cancel {
        s.send("\x1b");
    } else {
        s.send("\r");
        s.wait_for("Approval signed and written to:");
        s.wait_for("shipcheck verify app-1.0.0.tgz --approval");
        s.send("\x1b");
    }
    s.wait_for("S sign");
    s.send("q");
    assert!(s.wait_exit(), "q exits with status 0");
}

#[test]
fn two_reviewers_sign_off_in_turn_and_a_cancelled_run_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let (Some(alice), Some(bob)) = (keygen(d, "alice", "correct horse"), keygen(d, "bob", ""))
    else {
        return;
    };
    fixtures::write(
        d,
        "app-1.0.0.tgz",
        &fixtures::tgz(&[
            (
                b"package.json",
                br#"{"name":"app","version":"1.0.0","files":["index.js",".env"]}"#,
            ),
            (b"index.js", b"module.exports = 1;\n"),
            (b".env", b"NODE_ENV=production\n"),
        ]),
    );
    std::fs::write(
        d.join("shipcheck.toml"),
        "[approval]\nmin_waiver_reason = 12\nrequire_flagged_viewed = true\n",
    )
    .expect("policy");
    let bundle = d.join("app-1.0.0.tgz.approval.intoto.jsonl");

    sign_off(d, &alice, "alice@example.com", Some("correct horse"), true);
    assert!(!bundle.exists(), "a cancelled sign-off leaves no file");

    sign_off(d, &alice, "alice@example.com", Some("correct horse"), false);
    let first = std::fs::read(&bundle).expect("the approval is written");
    let pub_text =
        |k: &Path| std::fs::read_to_string(format!("{}.pub", k.display())).expect("the .pub file");
    let signers = d.join("allowed_signers");
    std::fs::write(
        &signers,
        format!(
            "alice@example.com {}bob@example.com {}",
            pub_text(&alice),
            pub_text(&bob)
        ),
    )
    .expect("allowed_signers");
    let line = first.strip_suffix(b"\n").unwrap_or(&first);
    assert!(
        ssh_keygen_verifies(d, line, &signers, "alice@example.com"),
        "ssh-keygen -Y verify accepts alice's line"
    );
    let verify = |extra: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"))
            .current_dir(d)
            .args([
                "verify",
                "app-1.0.0.tgz",
                "--allowed-signers",
                "allowed_signers",
            ])
            .args(extra)
            .output()
            .expect("verify runs");
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (code, said) = verify(&[]);
    assert_eq!(
        code,
        Some(0),
        "shipcheck verify passes on alice's sign-off:\n{said}"
    );
    let (code, said) = verify(&["--min-approvers", "2"]);
    assert_eq!(code, Some(1), "one approver of two:\n{said}");

    sign_off(d, &bob, "bob@example.com", None, false);
    let both = std::fs::read(&bundle).expect("the bundle");
    assert!(
        both.starts_with(&first),
        "the first line is kept byte for byte"
    );
    let lines = shipcheck::approval::read_bundle(&bundle).expect("the bundle reads");
    assert_eq!(lines.len(), 2, "one line per reviewer");
    let allowed =
        shipcheck::approval::AllowedSigners::load(&signers).expect("allowed_signers loads");
    for (l, who) in lines.iter().zip(["alice@example.com", "bob@example.com"]) {
        let outcome = shipcheck::approval::verify_line(
            &l.bytes,
            &allowed,
            shipcheck::approval::Timestamp::now(),
        )
        .expect("a well-formed line");
        assert!(outcome.passed(), "{who}'s line verifies: {outcome:?}");
        assert!(ssh_keygen_verifies(d, &l.bytes, &signers, who), "{who}");
    }
    let (code, said) = verify(&["--min-approvers", "2"]);
    assert_eq!(code, Some(0), "two distinct approvers:\n{said}");
}

/// A ustar header for a regular file (the checksum computed as tar does).
fn tar_header(name: &str, size: u64) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

/// Writes an npm tarball of `files` files of `size` bytes each (JavaScript-like text that
/// compresses about as real code does, each file different), streamed to disk; the last file
/// starts with `marker`. Returns the unpacked size.
fn write_big_package(path: &Path, files: usize, size: usize, marker: &str) -> u64 {
    use flate2::{Compression, write::GzEncoder};
    let out = std::fs::File::create(path).expect("create the tarball");
    let mut gz = GzEncoder::new(std::io::BufWriter::new(out), Compression::fast());
    let manifest = br#"{"name":"big","version":"1.0.0"}"#;
    gz.write_all(&tar_header("package/package.json", manifest.len() as u64))
        .expect("write");
    gz.write_all(manifest).expect("write");
    gz.write_all(&[0u8; 512 - 32]).expect("pad");
    let mut block = Vec::with_capacity(size);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    while block.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        block.extend_from_slice(
            format!(
                "export const v{:x} = require('./m{}');\n",
                state,
                state % 977
            )
            .as_bytes(),
        );
    }
    block.truncate(size);
    let mut unpacked = manifest.len() as u64;
    for i in 0..files {
        let mut content = block.clone();
        let head = if i + 1 == files {
            format!("// {marker}\n")
        } else {
            format!("// file {i}\n")
        };
        content[..head.len()].copy_from_slice(head.as_bytes());
        gz.write_all(&tar_header(&format!("package/lib/f{i:05}.js"), size as u64))
            .expect("write");
        gz.write_all(&content).expect("write");
        gz.write_all(&vec![0u8; (512 - size % 512) % 512])
            .expect("pad");
        unpacked += size as u64;
    }
    gz.write_all(&[0u8; 1024]).expect("end blocks");
    gz.finish().expect("finish").flush().expect("flush");
    unpacked
}

/// The peak resident set of a running process, from /proc (Linux).
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn the_review_screen_memory_stays_bounded_as_the_package_grows() {
    if !Path::new("/proc/self/status").exists() {
        let _ = std::io::stderr().write_fmt(format_args!(
            "note: no /proc here; skipping the review memory test (Linux only)\n"
        ));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let tgz = dir.path().join("big-1.0.0.tgz");
    // About 240 MB unpacked: well past the 64 MB the bound allows on top of 10% of it.
    let marker = "THE-LAST-FILE-ENDS-HERE";
    let unpacked = write_big_package(&tgz, 480, 512 * 1024, marker);
    let mut s = Session::start(dir.path(), &["review", "big-1.0.0.tgz"], &[]);
    s.wait_for_all(&["big@1.0.0", "q quit"]);
    // The last file: the far end of the gzip stream, read again through the seek index.
    s.send("/f00479\r");
    s.wait_for("f00479.js ─");
    s.send("\r");
    s.wait_for(marker);
    let pid = s.child.process_id().expect("the child's pid");
    let peak = peak_rss(pid).expect("VmHWM of the review");
    s.send("q");
    let bound = (64 << 20) + unpacked / 10;
    eprintln!(
        "review peak RSS {} MB for {} MB unpacked (bound {} MB)",
        peak >> 20,
        unpacked >> 20,
        bound >> 20
    );
    assert!(
        peak < bound,
        "review's peak RSS {} MB is past 64 MB + 10% of the {} MB unpacked ({} MB)",
        peak >> 20,
        unpacked >> 20,
        bound >> 20
    );
    assert!(
        peak < unpacked / 2,
        "review's peak RSS {} MB is not well below the {} MB unpacked: contents are held",
        peak >> 20,
        unpacked >> 20
    );
}

#[test]
fn a_big_file_shows_its_head_then_the_whole_without_a_key() {
    use flate2::{Compression, write::GzEncoder};
    use std::fmt::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big-1.0.0.tgz");
    // 12 MB of numbered lines (past the 8 MiB a preview reads whole), a marker on the last.
    let mut text = String::new();
    let mut lines = 0;
    while text.len() < 12_000_000 {
        lines += 1;
        writeln!(text, "export const v{lines} = {lines};").expect("a String takes it");
    }
    lines += 1;
    text.push_str("// THE-END-OF-BIG-JS\n");
    let manifest = br#"{"name":"big","version":"1.0.0"}"#;
    let mut tar = Vec::new();
    for (name, data) in [
        ("package/package.json", &manifest[..]),
        ("package/big.js", text.as_bytes()),
    ] {
        tar.extend_from_slice(&tar_header(name, data.len() as u64));
        tar.extend_from_slice(data);
        tar.resize(tar.len().next_multiple_of(512), 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&tar).expect("gzip");
    std::fs::write(&path, gz.finish().expect("gzip")).expect("write the tarball");

    let mut s = Session::start(dir.path(), &["review", "big-1.0.0.tgz"], &[]);
    s.wait_for_all(&["big@1.0.0", "q quit"]);
    s.send("/big.js\r");
    s.wait_for("export const v1 = 1;");
    // No key: the event loop reads the rest between keys and shows the whole file's lines.
    // (Before, the bottom border counted the head's lines with a "+" and said "reading".)
    let whole = s.wait_for(&format!("1/{lines} "));
    assert!(!whole.contains("reading"), "{whole}");
    s.send("\t");
    s.send("G");
    s.wait_for("THE-END-OF-BIG-JS");
    s.send("q");
}
